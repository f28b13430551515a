import type { Metadata } from "next";
import type { ReactNode } from "react";
import { LiveViewProvider } from "@/components/live-view";
import { Nav } from "@/components/nav";
import { TrpcReactProvider } from "@/components/trpc-provider";
import "./globals.css";

export const metadata: Metadata = {
  title: "Alicia Load Balancer",
  description: "Admin dashboard of the Alicia load balancer",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TrpcReactProvider>
          <header>
            <Nav />
          </header>
          {/* One live view stream for every page: it survives navigation, so charts keep their last minutes. */}
          <LiveViewProvider>
            <main>{children}</main>
          </LiveViewProvider>
        </TrpcReactProvider>
      </body>
    </html>
  );
}
