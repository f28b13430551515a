import type { Metadata } from "next";
import type { ReactNode } from "react";
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
          <main>{children}</main>
        </TrpcReactProvider>
      </body>
    </html>
  );
}
