// Scaffold only: replaced by the screen's implementation.
export default function GoalDashboard() {
  return <p>GoalDashboard</p>;
}
