import {
  CommentOutlined,
  FacebookOutlined,
  GlobalOutlined,
  MailOutlined,
  MessageOutlined,
  MobileOutlined,
  PhoneOutlined,
  SendOutlined,
  VideoCameraOutlined,
  WechatOutlined,
  WhatsAppOutlined,
} from '@ant-design/icons';
import { Tooltip } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

const ICONS: Record<string, { icon: ReactNode; color: string }> = {
  webchat: { icon: <GlobalOutlined />, color: '#1664ff' },
  app: { icon: <MobileOutlined />, color: '#0f9d8a' },
  wechat: { icon: <WechatOutlined />, color: '#07c160' },
  whatsapp: { icon: <WhatsAppOutlined />, color: '#25d366' },
  telegram: { icon: <SendOutlined />, color: '#229ed9' },
  messenger: { icon: <FacebookOutlined />, color: '#0866ff' },
  email: { icon: <MailOutlined />, color: '#c2410c' },
  sms: { icon: <MessageOutlined />, color: '#7c3aed' },
  voice: { icon: <PhoneOutlined />, color: '#0e7490' },
  video: { icon: <VideoCameraOutlined />, color: '#be185d' },
};

/** A channel's icon in its brand colour, named for screen readers. */
export function ChannelIcon({ type, withLabel = false }: { type: string; withLabel?: boolean }) {
  const { t, i18n } = useTranslation('common');
  const entry = ICONS[type] ?? { icon: <CommentOutlined />, color: '#595959' };
  const label = i18n.exists(`common:channels.${type}`) ? t(`channels.${type}`) : type;
  return (
    <Tooltip title={withLabel ? undefined : label}>
      <span role="img" aria-label={label} style={{ color: entry.color, whiteSpace: 'nowrap' }}>
        {entry.icon}
        {withLabel && <span style={{ color: 'inherit', marginLeft: 6 }}>{label}</span>}
      </span>
    </Tooltip>
  );
}
