import { Navigate, Outlet, useLocation } from "react-router";
import { Loading } from "../components/ErrorNotice";
import { SIGN_IN_PATH, useSession } from "./session";
import { sessionExpired } from "./tokens";

/** Screens behind sign-in: without a session, go to sign-in and come back here afterwards. */
export function RequireSession() {
  const { me, loading } = useSession();
  const location = useLocation();
  if (loading) return <Loading />;
  if (!me) {
    const next = encodeURIComponent(location.pathname + location.search);
    const expired = sessionExpired() ? "&utgangen=1" : "";
    return <Navigate to={`${SIGN_IN_PATH}?next=${next}${expired}`} replace />;
  }
  return <Outlet />;
}
