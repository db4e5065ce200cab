// The agent workspace (issue #6): three columns that fit a 1366×768 laptop — the agent's state,
// incoming offers and the unified inbox (280 px); the open conversation; the customer 360 panel
// (340 px, collapsible). Live over the shared WebSocket, no polling; keyboard first (`?` lists keys).
// The agent's browser phone and the call on it sit under the agent's state; a call placed from the dial
// pad or the customer panel opens its conversation.
import { CustomerServiceOutlined, QuestionCircleOutlined } from '@ant-design/icons';
import { Button, Empty, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMatch, useNavigate } from 'react-router';
import { get } from '../shared/api';
import { type Me, useAuth } from '../shared/auth';
import './agent.css';
import type { ComposerHandle, ComposerMode } from './Composer';
import { ConversationView } from './ConversationView';
import { CustomerPanel, type PanelCalling } from './CustomerPanel';
import { type Offer, useInbox, useOffers, usePresence } from './hooks';
import { type InboxFilter, InboxList, visibleItems } from './InboxList';
import { OfferList } from './OfferList';
import { PresenceBar } from './PresenceBar';
import { type Action, ShortcutHelp, useShortcuts } from './Shortcuts';
import { Softphone } from './Softphone';
import { useSoftphone } from './softphone';

const PANEL_KEY = 'sb.agent.panel';

export default function AgentApp() {
  const { me } = useAuth();
  if (!me) return null;
  return <Workspace me={me} />;
}

function Workspace({ me }: { me: Me }) {
  const { t } = useTranslation('agent');
  const navigate = useNavigate();
  const match = useMatch('/agent/c/:id');
  const activeId = match?.params.id;
  const presence = usePresence(me);
  const offers = useOffers(me);
  const inbox = useInbox(me, activeId);
  const phone = useSoftphone(me);
  const [filter, setFilter] = useState<InboxFilter>('active');
  const [panelOpen, setPanelOpen] = useState(() => localStorage.getItem(PANEL_KEY) !== 'closed');
  const [wrapOpen, setWrapOpen] = useState(false);
  const [transferOpen, setTransferOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const [mode, setMode] = useState<ComposerMode>('reply');
  const [focusToken, setFocusToken] = useState(0);
  const composer = useRef<ComposerHandle | null>(null);
  const presenceRef = useRef<HTMLDivElement>(null);
  const inboxRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    localStorage.setItem(PANEL_KEY, panelOpen ? 'open' : 'closed');
  }, [panelOpen]);

  const open = useCallback(
    (id: string, focus = false) => {
      navigate(`/agent/c/${id}`);
      setMode('reply');
      if (focus) setFocusToken((n) => n + 1);
    },
    [navigate],
  );

  const accept = useCallback(
    async (o: Offer) => {
      const conversationId = await offers.accept(o);
      if (!conversationId) return;
      setFilter('active');
      await inbox.bring(conversationId);
      open(conversationId, true);
    },
    [offers, inbox, open],
  );

  const activeItem = inbox.items.find((c) => c.id === activeId);
  const visible = visibleItems(inbox, filter);

  const step = (d: 1 | -1) => {
    if (visible.length === 0) return;
    const i = visible.findIndex((c) => c.id === activeId);
    const next = visible[i < 0 ? 0 : Math.max(0, Math.min(visible.length - 1, i + d))];
    if (next) open(next.id);
  };

  const modalOpen = wrapOpen || transferOpen || helpOpen;
  useShortcuts((a: Action) => {
    const first = offers.items[0];
    switch (a) {
      case 'accept':
        if (first && !offers.pending.has(first.id)) void accept(first);
        return !!first;
      case 'reject':
        if (first && !offers.pending.has(first.id)) void offers.reject(first);
        return !!first;
      case 'help':
        setHelpOpen(true);
        return true;
      case 'close':
        if (!modalOpen) return false;
        setHelpOpen(false);
        setWrapOpen(false);
        setTransferOpen(false);
        return true;
      case 'presence':
        presenceRef.current?.querySelector<HTMLElement>('input, [tabindex]')?.focus();
        return true;
      case 'inbox': {
        const el =
          inboxRef.current?.querySelector<HTMLElement>('[aria-current="true"]') ??
          inboxRef.current?.querySelector<HTMLElement>('button[data-testid="inbox-item"]');
        el?.focus();
        return true;
      }
      default:
        break;
    }
    if (modalOpen) return false;
    switch (a) {
      case 'prev':
        step(-1);
        return true;
      case 'next':
        step(1);
        return true;
      case 'panel':
        setPanelOpen((o) => !o);
        return true;
      default:
        break;
    }
    if (!activeId) return false;
    switch (a) {
      case 'note':
        setMode((m) => (m === 'reply' ? 'note' : 'reply'));
        setFocusToken((n) => n + 1);
        return true;
      case 'wrapUp':
        setWrapOpen(true);
        return true;
      case 'transfer':
        setTransferOpen(true);
        return true;
      default:
        return false;
    }
  });

  // Closing a dialog gives the keyboard back to the composer.
  const wasModal = useRef(false);
  useEffect(() => {
    if (wasModal.current && !modalOpen && activeId) requestAnimationFrame(() => composer.current?.focus());
    wasModal.current = modalOpen;
  }, [modalOpen, activeId]);

  const leave = (reason: 'resolved' | 'transferred') => {
    if (reason === 'transferred' && activeId) inbox.remove(activeId);
    const rest = inbox.items.filter(
      (c) => c.id !== activeId && (c.status === 'open' || c.status === 'pending'),
    );
    if (rest[0]) open(rest[0].id, true);
    else navigate('/agent');
  };

  // A call that became this agent's on the phone (an attended transfer, the other agent leaving a
  // conference) brings its conversation into the inbox.
  const ownCall = phone.call?.agentId === me.id ? phone.call.conversationId : undefined;
  const inInbox = inbox.items.some((c) => c.id === ownCall);
  const { bring } = inbox;
  useEffect(() => {
    if (ownCall && !inInbox) void bring(ownCall);
  }, [ownCall, inInbox, bring]);

  const placed = useCallback(
    async (conversationId: string) => {
      setFilter('active');
      await inbox.bring(conversationId);
      open(conversationId);
    },
    [inbox, open],
  );
  const callLive = !!phone.call && phone.call.state !== 'ended';
  const calling: PanelCalling | undefined =
    phone.status === 'unavailable'
      ? undefined
      : {
          disabled: phone.busy || callLive,
          call: (identityId, customerId) =>
            void phone.dial({ identityId }, customerId).then((c) => c && placed(c.conversationId)),
        };

  const state = presence.stats?.state;

  return (
    <div className="sb-workspace" style={{ display: 'flex', height: '100%', background: '#fff' }}>
      <aside
        aria-label={t('columns.inbox')}
        style={{
          width: 280,
          flex: '0 0 280px',
          display: 'flex',
          flexDirection: 'column',
          borderRight: '1px solid #f0f0f0',
          background: '#fff',
          minHeight: 0,
        }}
      >
        <div ref={presenceRef}>
          <PresenceBar presence={presence} />
        </div>
        <Softphone
          phone={phone}
          me={me}
          onTransferred={(id) => {
            if (id === activeId) leave('transferred');
            else inbox.remove(id);
          }}
          onPlaced={(id) => void placed(id)}
        />
        <OfferList offers={offers} onAccept={(o) => void accept(o)} phoneReady={phone.status === 'ready'} />
        <div ref={inboxRef} style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}>
          <InboxList
            inbox={inbox}
            activeId={activeId}
            onOpen={(id) => open(id, true)}
            filter={filter}
            onFilter={setFilter}
          />
        </div>
        <div style={{ borderTop: '1px solid #f0f0f0', padding: '4px 8px' }}>
          <Button
            type="text"
            size="small"
            icon={<QuestionCircleOutlined aria-hidden />}
            onClick={() => setHelpOpen(true)}
            aria-keyshortcuts="?"
            style={{ color: '#8c8c8c' }}
          >
            {t('shortcuts.button')}
          </Button>
        </div>
      </aside>
      <main
        aria-label={t('columns.conversation')}
        style={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column', background: '#fff' }}
      >
        {activeId ? (
          <ConversationView
            key={activeId}
            conversationId={activeId}
            me={me}
            inbox={inbox}
            composerRef={composer}
            mode={mode}
            onMode={setMode}
            panelOpen={panelOpen}
            onTogglePanel={() => setPanelOpen((o) => !o)}
            wrapOpen={wrapOpen}
            setWrapOpen={setWrapOpen}
            transferOpen={transferOpen}
            setTransferOpen={setTransferOpen}
            focusToken={focusToken}
            onLeave={leave}
          />
        ) : (
          <div
            style={{
              flex: 1,
              display: 'flex',
              flexDirection: 'column',
              alignItems: 'center',
              justifyContent: 'center',
              background: '#fafafa',
            }}
          >
            <Empty
              image={<CustomerServiceOutlined style={{ fontSize: 56, color: '#bfbfbf' }} aria-hidden />}
              description={
                <>
                  <Typography.Title level={5} style={{ marginBottom: 4 }}>
                    {offers.items.length > 0
                      ? t('empty.offerWaiting')
                      : state === 'available' || state === 'busy'
                        ? t('empty.waiting')
                        : t('empty.notAvailable')}
                  </Typography.Title>
                  <Typography.Text type="secondary">{t('empty.hint')}</Typography.Text>
                </>
              }
            >
              {state !== 'available' && state !== 'busy' && state !== 'wrap_up' && (
                <Button type="primary" onClick={() => void presence.set('available')} loading={presence.busy}>
                  {t('empty.goAvailable')}
                </Button>
              )}
            </Empty>
          </div>
        )}
      </main>
      {activeId && panelOpen && (
        <aside
          aria-label={t('columns.customer')}
          style={{
            width: 340,
            flex: '0 0 340px',
            borderLeft: '1px solid #f0f0f0',
            background: '#fff',
            minHeight: 0,
          }}
        >
          <CustomerPanelFor
            conversationId={activeId}
            customerId={activeItem?.customerId}
            me={me}
            calling={calling}
          />
        </aside>
      )}
      <ShortcutHelp open={helpOpen} onClose={() => setHelpOpen(false)} />
    </div>
  );
}

/** The 360 panel needs the conversation's customer: from the inbox, else read once. */
function CustomerPanelFor({
  conversationId,
  customerId,
  me,
  calling,
}: {
  conversationId: string;
  customerId: string | undefined;
  me: Me;
  calling: PanelCalling | undefined;
}) {
  const [id, setId] = useState(customerId);
  useEffect(() => {
    if (customerId) {
      setId(customerId);
      return;
    }
    let live = true;
    get<{ customerId: string }>(`/api/v1/conversations/${conversationId}`)
      .then((c) => live && setId(c.customerId))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [conversationId, customerId]);
  if (!id) return null;
  return <CustomerPanel key={id} customerId={id} conversationId={conversationId} me={me} calling={calling} />;
}
