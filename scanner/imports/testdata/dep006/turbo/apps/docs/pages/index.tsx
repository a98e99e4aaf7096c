import { Button } from 'ui'
export default function Docs() { return <Button /> }
