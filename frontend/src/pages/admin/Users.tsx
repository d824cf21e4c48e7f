// Scaffold only: replaced by the screen's implementation.
export default function Users() {
  return <p>Users</p>;
}
