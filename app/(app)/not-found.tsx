import { useTranslations } from "next-intl";
import { StatusLink, StatusPage } from "../_components/status-page";

/** A page of the signed-in app that does not exist (notFound() of a page in this group). */
export default function NotFound() {
  const t = useTranslations("errorPages");
  return (
    <StatusPage code="404" title={t("notFoundTitle")} body={t("notFoundBody")}>
      <StatusLink href="/dashboard" primary>
        {t("toDashboard")}
      </StatusLink>
      <StatusLink href="/claims">{t("toClaims")}</StatusLink>
    </StatusPage>
  );
}
