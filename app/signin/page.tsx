import { Suspense } from "react";
import { SignInForm } from "@/components/signin-form";

export const metadata = { title: "Sign in · Alicia Load Balancer" };

export default function SignInPage() {
  return (
    <Suspense>
      <SignInForm />
    </Suspense>
  );
}
