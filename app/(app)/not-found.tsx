import { NotFoundPage } from "../_components/status-page";

/** A page of the signed-in app that does not exist (notFound() of a page in this group). */
export default function NotFound() {
  return <NotFoundPage signedIn />;
}
