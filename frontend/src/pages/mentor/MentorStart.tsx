// Scaffold only: replaced by the screen's implementation.
export function MentorStart() {
  return <p>MentorStart</p>;
}
