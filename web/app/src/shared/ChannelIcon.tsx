// One icon and colour per channel type, shared by the three apps, named for screen readers in the
// UI language (the raw type for one the UI does not know).
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
import type { ComponentType, CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';

type Icon = ComponentType<{ style?: CSSProperties; 'aria-hidden'?: boolean }>;

const ICONS: Record<string, { icon: Icon; color: string }> = {
  webchat: { icon: GlobalOutlined, color: '#1664ff' },
  app: { icon: MobileOutlined, color: '#0f9d8a' },
  wechat: { icon: WechatOutlined, color: '#07c160' },
  whatsapp: { icon: WhatsAppOutlined, color: '#25d366' },
  telegram: { icon: SendOutlined, color: '#229ed9' },
  messenger: { icon: FacebookOutlined, color: '#0866ff' },
  email: { icon: MailOutlined, color: '#c2410c' },
  sms: { icon: MessageOutlined, color: '#7c3aed' },
  voice: { icon: PhoneOutlined, color: '#0e7490' },
  video: { icon: VideoCameraOutlined, color: '#be185d' },
};
const UNKNOWN = { icon: CommentOutlined, color: '#595959' };

export const CHANNEL_COLORS: Record<string, string> = Object.fromEntries(
  Object.entries(ICONS).map(([k, v]) => [k, v.color]),
);

export function channelColor(type: string): string {
  return (ICONS[type] ?? UNKNOWN).color;
}

/** The channel type's name in the UI language (the raw type for one the UI does not know). */
export function useChannelName(): (type: string) => string {
  const { t, i18n } = useTranslation('common');
  return (type) => (i18n.exists(`common:channels.${type}`) ? t(`common:channels.${type}`) : type);
}

/** The channel's icon in its brand colour; its name for screen readers, as a tooltip, or written beside it. */
export function ChannelIcon({
  type,
  size = 14,
  withLabel = false,
}: {
  type: string;
  size?: number;
  withLabel?: boolean;
}) {
  const channelName = useChannelName();
  const { icon: Glyph, color } = ICONS[type] ?? UNKNOWN;
  const label = channelName(type);
  return (
    <span
      role="img"
      aria-label={label}
      title={withLabel ? undefined : label}
      style={{ display: 'inline-flex', alignItems: 'center', lineHeight: 1, color, whiteSpace: 'nowrap' }}
    >
      <Glyph style={{ color, fontSize: size }} aria-hidden />
      {withLabel && <span style={{ marginLeft: 6 }}>{label}</span>}
    </span>
  );
}
