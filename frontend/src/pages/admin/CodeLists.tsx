// Scaffold only: replaced by the screen's implementation.
export default function CodeLists() {
  return <p>CodeLists</p>;
}
