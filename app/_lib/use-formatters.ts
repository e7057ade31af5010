import { useLocale } from "next-intl";
import { formattersFor, type Formatters } from "./localized-format";

/** The formatters of the request's (or the page's) locale; works in server and client components. */
export function useFormatters(): Formatters {
  return formattersFor(useLocale());
}
