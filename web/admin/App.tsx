export function App() { return <p>admin</p>; }
