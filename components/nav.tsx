// The dashboard's navigation, with who is signed in.
import { NavLinks } from "./nav-links";
import { UserMenu } from "./session";

export function Nav() {
  return (
    <nav aria-label="Main" className="nav">
      <span className="brand">Alicia · Load Balancer</span>
      <NavLinks />
      <UserMenu />
    </nav>
  );
}
