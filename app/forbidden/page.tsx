import Link from "next/link";

export const metadata = { title: "Not allowed · Alicia Load Balancer" };

export default function ForbiddenPage() {
  return (
    <section aria-labelledby="forbidden-heading">
      <h1 id="forbidden-heading">Not allowed</h1>
      <p>Your role does not allow this page. An admin can change your role.</p>
      <p>
        <Link href="/">Back to the overview</Link>
      </p>
    </section>
  );
}
