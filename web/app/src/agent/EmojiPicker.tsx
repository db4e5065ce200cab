// Emoji for the reply: a small fixed set in a popover, a grid of buttons (Tab moves through them;
// Escape closes it and goes back to the reply). Whether it is open is the composer's state, so that
// switching to a note and back leaves it as it was.
import { SmileOutlined } from '@ant-design/icons';
import { Button, Popover, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';

const EMOJI = [
  '😀',
  '😊',
  '🙂',
  '😉',
  '😄',
  '😂',
  '🥰',
  '😍',
  '🤔',
  '😅',
  '😢',
  '😮',
  '🙏',
  '👍',
  '👌',
  '👏',
  '🎉',
  '❤️',
  '💯',
  '✅',
  '❌',
  '⭐',
  '🔥',
  '📦',
  '🚚',
  '💳',
  '📞',
  '📧',
  '⏰',
  '🎁',
  '👋',
  '🤝',
];

export function EmojiPicker({
  open,
  onOpenChange,
  onPick,
  onEscape,
}: {
  open: boolean;
  onOpenChange(open: boolean): void;
  onPick(emoji: string): void;
  onEscape(): void;
}) {
  const { t } = useTranslation('agent');
  return (
    <Popover
      open={open}
      onOpenChange={onOpenChange}
      trigger="click"
      placement="topLeft"
      content={
        <ul
          aria-label={t('composer.emoji')}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              onOpenChange(false);
              onEscape();
            }
          }}
          style={{
            display: 'grid',
            gridTemplateColumns: 'repeat(8, 34px)',
            gap: 2,
            listStyle: 'none',
            margin: 0,
            padding: 0,
          }}
        >
          {EMOJI.map((e) => (
            <li key={e}>
              <button
                type="button"
                className="sb-emoji"
                aria-label={t('composer.insertEmoji', { emoji: e })}
                onClick={() => {
                  onPick(e);
                  onOpenChange(false);
                }}
              >
                {e}
              </button>
            </li>
          ))}
        </ul>
      }
    >
      <Tooltip title={t('composer.emoji')}>
        <Button
          type="text"
          size="small"
          aria-label={t('composer.emoji')}
          icon={<SmileOutlined aria-hidden />}
        />
      </Tooltip>
    </Popover>
  );
}
