// Lists and resources that reload (filters changed, a re-read): the answer of a request that a newer one has replaced
// is dropped, so a slow answer for the old filters can never overwrite the new list ("Clear" then "Filter" showed the
// unfiltered list when Clear's answer came last: found by CI). Used by useKeysetList and useLoad.
import { useCallback, useRef } from 'react';

/** `begin()` at the start of a request; the function it returns says whether that request is still the newest. */
export function useLatestRequest(): () => () => boolean {
  const newest = useRef(0);
  return useCallback(() => {
    const mine = ++newest.current;
    return () => mine === newest.current;
  }, []);
}
