// Korean and English. The browser's language picks the first one; the header's switch
// changes it (remembered in localStorage: a preference, not a secret).

const en = {
  live: 'Live now',
  noLive: 'No channel is broadcasting right now.',
  allChannels: 'All channels',
  noChannels: 'No channels yet.',
  loading: 'Loading…',
  viewers: (n: number) => `${n} watching`,
  noThumbnail: 'No preview',
  login: 'Log in',
  logout: 'Log out',
  signup: 'Sign up',
  myPage: 'My page',
  email: 'E-mail',
  password: 'Password',
  newPassword: 'New password',
  nickname: 'Nickname',
  code: 'Confirmation code',
  confirm: 'Confirm',
  resend: 'Send the code again',
  codeSent: 'We sent a code to your e-mail.',
  signedUp: 'Your account is ready: log in.',
  forgot: 'Forgot password?',
  sendCode: 'Send a code',
  resetDone: 'Password changed: log in.',
  noAccount: 'No account yet?',
  offline: 'This channel is offline. The stream starts here as soon as it goes live.',
  unmute: 'Unmute',
  mute: 'Mute',
  chat: 'Chat',
  chatLogin: 'Log in to chat',
  chatPlaceholder: 'Send a message',
  send: 'Send',
  delete: 'Delete',
  kick: 'Kick',
  chatOffline: 'Chat is not connected.',
  kicked: 'You were disconnected from this chat.',
  title: 'Broadcast title',
  save: 'Save',
  saved: 'Saved',
  avatar: 'Avatar',
  upload: 'Upload',
  streamKey: 'Stream key',
  streamUrl: 'Stream URL',
  show: 'Show',
  hide: 'Hide',
  copy: 'Copy',
  studio: 'Download the Cloumer studio',
  studioHint: 'Go live from the studio with your account: it fills in the URL and key.',
  notFound: 'This page does not exist.',
  home: 'Home',
  error: 'Something went wrong:',
};

type Dict = typeof en;

const ko: Dict = {
  live: '실시간',
  noLive: '지금 방송 중인 채널이 없습니다.',
  allChannels: '모든 채널',
  noChannels: '아직 채널이 없습니다.',
  loading: '불러오는 중…',
  viewers: (n: number) => `${n}명 시청 중`,
  noThumbnail: '미리보기 없음',
  login: '로그인',
  logout: '로그아웃',
  signup: '회원가입',
  myPage: '마이페이지',
  email: '이메일',
  password: '비밀번호',
  newPassword: '새 비밀번호',
  nickname: '닉네임',
  code: '인증 코드',
  confirm: '확인',
  resend: '코드 다시 보내기',
  codeSent: '이메일로 인증 코드를 보냈습니다.',
  signedUp: '가입이 완료되었습니다. 로그인하세요.',
  forgot: '비밀번호를 잊으셨나요?',
  sendCode: '코드 보내기',
  resetDone: '비밀번호가 변경되었습니다. 로그인하세요.',
  noAccount: '계정이 없으신가요?',
  offline: '방송 중이 아닙니다. 방송이 시작되면 바로 여기서 재생됩니다.',
  unmute: '소리 켜기',
  mute: '음소거',
  chat: '채팅',
  chatLogin: '채팅하려면 로그인하세요',
  chatPlaceholder: '메시지 보내기',
  send: '보내기',
  delete: '삭제',
  kick: '내보내기',
  chatOffline: '채팅에 연결되지 않았습니다.',
  kicked: '이 채팅에서 연결이 끊겼습니다.',
  title: '방송 제목',
  save: '저장',
  saved: '저장됨',
  avatar: '프로필 사진',
  upload: '올리기',
  streamKey: '스트림 키',
  streamUrl: '스트림 URL',
  show: '보기',
  hide: '숨기기',
  copy: '복사',
  studio: 'Cloumer 스튜디오 다운로드',
  studioHint: '스튜디오에 이 계정으로 로그인하면 URL과 키가 자동으로 채워집니다.',
  notFound: '없는 페이지입니다.',
  home: '홈',
  error: '문제가 생겼습니다:',
};

export type Lang = 'en' | 'ko';
const dicts: Record<Lang, Dict> = { en, ko };
const KEY = 'cloumer.lang';

function initial(): Lang {
  const saved = localStorage.getItem(KEY);
  if (saved === 'en' || saved === 'ko') return saved;
  const first = navigator.languages?.[0] ?? navigator.language ?? 'en';
  return first.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

export const i18n = $state<{ lang: Lang; t: Dict }>({ lang: initial(), t: en });
i18n.t = dicts[i18n.lang];
document.documentElement.lang = i18n.lang;

export function setLang(lang: Lang) {
  i18n.lang = lang;
  i18n.t = dicts[lang];
  document.documentElement.lang = lang;
  localStorage.setItem(KEY, lang);
}
