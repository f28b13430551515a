"use client";
// The navigation's links, marking the current page (aria-current). "Admin"
// only for admins (the server answers 403 to anyone else anyway).
import Link from "next/link";
import { usePathname } from "next/navigation";
import { roleAtLeast, useMe, type Role } from "./session";

const LINKS: readonly { href: string; label: string; role: Role }[] = [
  { href: "/", label: "Overview", role: "viewer" },
  { href: "/events", label: "Events", role: "viewer" },
  { href: "/audit", label: "Audit", role: "viewer" },
  { href: "/admin", label: "Admin", role: "admin" },
];

export function NavLinks() {
  const pathname = usePathname();
  const me = useMe();
  return (
    <ul>
      {LINKS.filter((link) => link.role === "viewer" || roleAtLeast(me?.role, link.role)).map((link) => {
        const current = link.href === "/" ? pathname === "/" || pathname.startsWith("/services/") : pathname.startsWith(link.href);
        return (
          <li key={link.href}>
            <Link href={link.href} aria-current={current ? "page" : undefined}>
              {link.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
