import { useTranslations } from "next-intl";
import { LoadingPage } from "./_components/status-page";

export default function Loading() {
  return <LoadingPage label={useTranslations("errorPages")("loading")} />;
}
