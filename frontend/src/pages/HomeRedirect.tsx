import { Navigate } from "react-router";
import { useSession } from "../auth/session";

/** "/" opens each role's own first screen. */
export function HomeRedirect() {
  const { can } = useSession();
  if (can("caseload:read")) return <Navigate to="/start" replace />;
  if (can("municipality_mentors:read")) return <Navigate to="/mentorer" replace />;
  if (can("export:evaluation")) return <Navigate to="/export" replace />;
  if (can("stats:read")) return <Navigate to="/statistik" replace />;
  if (can("referral_status:read")) return <Navigate to="/remisser" replace />;
  if (can("user:admin")) return <Navigate to="/admin/anvandare" replace />;
  return <Navigate to="/inte-behorig" replace />;
}
