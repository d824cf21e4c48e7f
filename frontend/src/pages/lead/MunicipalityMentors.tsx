// Scaffold only: replaced by the screen's implementation.
export default function MunicipalityMentors() {
  return <p>MunicipalityMentors</p>;
}
