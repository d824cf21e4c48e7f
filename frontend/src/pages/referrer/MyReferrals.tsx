// Scaffold only: replaced by the screen's implementation.
export default function MyReferrals() {
  return <p>MyReferrals</p>;
}
