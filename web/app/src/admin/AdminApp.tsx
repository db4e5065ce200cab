// The admin console: channels, queues, skills, teams, users, routing rules, business hours, canned
// responses and disposition codes, one page each under a side menu.
import {
  ApiOutlined,
  BranchesOutlined,
  ClockCircleOutlined,
  MessageOutlined,
  QuestionCircleOutlined,
  SafetyCertificateOutlined,
  TagsOutlined,
  TeamOutlined,
  ThunderboltOutlined,
  UnorderedListOutlined,
} from '@ant-design/icons';
import { Button, Menu, Popover } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import './admin.css';
import { BusinessHoursPage } from './BusinessHoursPage';
import { CannedPage } from './CannedPage';
import { ChannelsPage } from './ChannelsPage';
import { DispositionsPage } from './DispositionsPage';
import { QueuesPage } from './QueuesPage';
import { RulesPage } from './rules/RulesPage';
import { SkillsPage } from './SkillsPage';
import { TeamsPage } from './TeamsPage';
import { UsersPage } from './UsersPage';

const SECTIONS = [
  { key: 'channels', icon: <ApiOutlined />, element: <ChannelsPage /> },
  { key: 'queues', icon: <UnorderedListOutlined />, element: <QueuesPage /> },
  { key: 'routing', icon: <BranchesOutlined />, element: <RulesPage /> },
  { key: 'skills', icon: <ThunderboltOutlined />, element: <SkillsPage /> },
  { key: 'teams', icon: <TeamOutlined />, element: <TeamsPage /> },
  { key: 'users', icon: <SafetyCertificateOutlined />, element: <UsersPage /> },
  { key: 'hours', icon: <ClockCircleOutlined />, element: <BusinessHoursPage /> },
  { key: 'canned', icon: <MessageOutlined />, element: <CannedPage /> },
  { key: 'dispositions', icon: <TagsOutlined />, element: <DispositionsPage /> },
] as const;

const SHORTCUTS = ['help', 'section', 'save', 'escape'] as const;

export default function AdminApp() {
  const { t } = useTranslation('admin');
  const navigate = useNavigate();
  const location = useLocation();
  const [helpOpen, setHelpOpen] = useState(false);
  const current = SECTIONS.find((s) => location.pathname.startsWith(`/admin/${s.key}`))?.key ?? 'channels';

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      const typing = !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
      if (e.key === '?' && !typing) {
        e.preventDefault();
        setHelpOpen((o) => !o);
      } else if (e.altKey && /^Digit[1-9]$/.test(e.code)) {
        const s = SECTIONS[Number(e.code.slice(5)) - 1];
        if (s) {
          e.preventDefault();
          navigate(`/admin/${s.key}`);
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate]);

  return (
    <div className="sb-admin">
      <nav className="sb-admin-nav" aria-label={t('nav')}>
        <Menu
          mode="inline"
          selectedKeys={[current]}
          onClick={({ key }) => navigate(`/admin/${key}`)}
          items={SECTIONS.map((s) => ({ key: s.key, icon: s.icon, label: t(`sections.${s.key}`) }))}
        />
        <div style={{ padding: '8px 16px' }}>
          <Popover
            open={helpOpen}
            onOpenChange={setHelpOpen}
            trigger="click"
            placement="rightBottom"
            title={t('shortcuts.title')}
            content={
              <div style={{ minWidth: 260 }}>
                {SHORTCUTS.map((k) => (
                  <div
                    key={k}
                    style={{ display: 'flex', justifyContent: 'space-between', gap: 16, padding: '3px 0' }}
                  >
                    <span>{t(`shortcuts.${k}`)}</span>
                    <kbd
                      style={{
                        fontFamily: 'monospace',
                        background: '#f2f3f5',
                        padding: '0 6px',
                        borderRadius: 4,
                      }}
                    >
                      {t(`shortcuts.${k}Key`)}
                    </kbd>
                  </div>
                ))}
              </div>
            }
          >
            <Button type="text" size="small" icon={<QuestionCircleOutlined />}>
              {t('shortcuts.title')}
            </Button>
          </Popover>
        </div>
      </nav>
      <main className="sb-admin-main">
        <Routes>
          <Route index element={<Navigate to="channels" replace />} />
          {SECTIONS.map((s) => (
            <Route key={s.key} path={`${s.key}/*`} element={s.element} />
          ))}
          <Route path="*" element={<Navigate to="/admin/channels" replace />} />
        </Routes>
      </main>
    </div>
  );
}
