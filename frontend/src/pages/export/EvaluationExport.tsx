// Scaffold only: replaced by the screen's implementation.
export default function EvaluationExport() {
  return <p>EvaluationExport</p>;
}
