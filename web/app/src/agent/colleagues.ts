// The tenant's agents as any agent may see them (GET /api/v1/directory/agents): names and whether they
// are free, for picking whom to transfer a call to or consult, and for naming them on the call panel.
import { useEffect, useState } from 'react';
import { get } from '../shared/api';

/** A colleague from GET /api/v1/directory/agents. */
export interface Colleague {
  id: string;
  displayName: string;
  state: 'available' | 'busy' | 'wrap_up' | 'break' | 'offline';
  available: boolean;
}

/**
 * The directory, read each time `when` turns true (a dialog opening, a call with colleagues on it);
 * null when it could not be read, and [] before the first answer.
 */
export function useColleagues(when: boolean): Colleague[] | null {
  const [items, setItems] = useState<Colleague[] | null>([]);
  useEffect(() => {
    if (!when) return;
    let live = true;
    get<{ items: Colleague[] }>('/api/v1/directory/agents')
      .then((r) => live && setItems(r.items))
      .catch(() => live && setItems(null));
    return () => {
      live = false;
    };
  }, [when]);
  return items;
}
