import { Button } from 'ui' // EXPECT workspace sibling not declared by web
export default function Page() { return <Button /> }
