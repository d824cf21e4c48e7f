// Scaffold only: replaced by the screen's implementation.
export default function NewReferral() {
  return <p>NewReferral</p>;
}
