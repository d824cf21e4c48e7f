import { lazy, Suspense } from "react";
import { Route, Routes } from "react-router";
import { RequireSession } from "./auth/RequireSession";
import { Loading } from "./components/ErrorNotice";
import { Layout } from "./components/Layout";
import { HomeRedirect } from "./pages/HomeRedirect";
import { NotFound, NotPermitted } from "./pages/NotFound";
import { SignIn } from "./pages/SignIn";
import { MentorStart } from "./pages/mentor/MentorStart";

// The mentor start page ships in the first bundle (it is what most users open); every other
// screen, and the chart library with them, loads when first visited.
const NewReferral = lazy(() => import("./pages/referral/NewReferral"));
const ParticipantPage = lazy(() => import("./pages/participant/ParticipantPage"));
const MunicipalityMentors = lazy(() => import("./pages/lead/MunicipalityMentors"));
const GoalDashboard = lazy(() => import("./pages/stats/GoalDashboard"));
const EvaluationExport = lazy(() => import("./pages/export/EvaluationExport"));
const MyReferrals = lazy(() => import("./pages/referrer/MyReferrals"));
const Users = lazy(() => import("./pages/admin/Users"));
const CodeLists = lazy(() => import("./pages/admin/CodeLists"));

export function App() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/logga-in" element={<SignIn />} />
        <Route element={<RequireSession />}>
          <Route element={<Layout />}>
            <Route index element={<HomeRedirect />} />
            <Route path="start" element={<MentorStart />} />
            <Route path="deltagare/ny" element={<NewReferral />} />
            <Route path="deltagare/:participantId" element={<ParticipantPage />} />
            <Route path="mentorer" element={<MunicipalityMentors />} />
            <Route path="statistik" element={<GoalDashboard />} />
            <Route path="export" element={<EvaluationExport />} />
            <Route path="remisser" element={<MyReferrals />} />
            <Route path="admin/anvandare" element={<Users />} />
            <Route path="admin/kodlistor" element={<CodeLists />} />
            <Route path="inte-behorig" element={<NotPermitted />} />
            <Route path="*" element={<NotFound />} />
          </Route>
        </Route>
      </Routes>
    </Suspense>
  );
}
