// Scaffold only: replaced by the screen's implementation.
export default function ParticipantPage() {
  return <p>ParticipantPage</p>;
}
