import { NotFoundPage } from "./_components/status-page";

/** Any address that leads nowhere; signed-out visitors are sent on from the dashboard to sign-in. */
export default function NotFound() {
  return <NotFoundPage signedIn={false} />;
}
