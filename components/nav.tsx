// The dashboard's navigation.
import { NavLinks } from "./nav-links";

export function Nav() {
  return (
    <nav aria-label="Main" className="nav">
      <span className="brand">Alicia · Load Balancer</span>
      <NavLinks />
    </nav>
  );
}
