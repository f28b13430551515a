"use client";
// The navigation's links, marking the current page (aria-current).
import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/", label: "Overview" },
  { href: "/events", label: "Events" },
] as const;

export function NavLinks() {
  const pathname = usePathname();
  return (
    <ul>
      {LINKS.map((link) => {
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
