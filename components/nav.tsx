// The dashboard's navigation. Pages come with later features; links appear
// here as they land.
import Link from "next/link";

const LINKS = [{ href: "/", label: "Overview" }] as const;

export function Nav() {
  return (
    <nav aria-label="Main" className="nav">
      <span className="brand">Alicia · Load Balancer</span>
      <ul>
        {LINKS.map((link) => (
          <li key={link.href}>
            <Link href={link.href}>{link.label}</Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
