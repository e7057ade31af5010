import type { Metadata } from "next";
import { AuthFrame } from "../_components/auth-frame";
import { ApplyForm } from "./apply-form";

export const metadata: Metadata = { title: "Apply to join" };

export default function ApplyPage() {
  return (
    <AuthFrame title="Apply to join" subtitle="Tell us about your organisation. The platform operator reviews every application before it can transact.">
      <ApplyForm />
    </AuthFrame>
  );
}
