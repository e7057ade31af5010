import { useTranslations } from "next-intl";
import { StatusLink, StatusPage } from "./_components/status-page";

/** Any address that leads nowhere; signed-out visitors are sent on from the dashboard to sign-in. */
export default function NotFound() {
  const t = useTranslations("errorPages");
  return (
    <StatusPage code="404" title={t("notFoundTitle")} body={t("notFoundBody")}>
      <StatusLink href="/dashboard" primary>
        {t("toDashboard")}
      </StatusLink>
      <StatusLink href="/signin">{t("toSignIn")}</StatusLink>
    </StatusPage>
  );
}
