// errno values used across the stack (include/uapi/asm-generic/errno-base.h) and the strerror()
// texts iproute2 prints after "RTNETLINK answers: ".

export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const EIO = 5;
export const ENXIO = 6;
export const E2BIG = 7;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EBUSY = 16;
export const EEXIST = 17;
export const ENODEV = 19;
export const EINVAL = 22;
export const ENOSPC = 28;
export const ERANGE = 34;
export const EMSGSIZE = 90;
export const EPROTONOSUPPORT = 93;
export const EOPNOTSUPP = 95;
export const EAFNOSUPPORT = 97;
export const EADDRINUSE = 98;
export const EADDRNOTAVAIL = 99;
export const ENETDOWN = 100;
export const ENETUNREACH = 101;
export const ENOBUFS = 105;
export const ETIMEDOUT = 110;
export const ECONNREFUSED = 111;
export const EHOSTDOWN = 112;
export const EHOSTUNREACH = 113;
export const EPIPE = 32;
export const ECONNABORTED = 103;
export const ECONNRESET = 104;
export const EISCONN = 106;
export const ENOTCONN = 107;
export const EALREADY = 114;
export const EINPROGRESS = 115;

const NAMES: Record<number, [string, string]> = {
  [EPERM]: ['EPERM', 'Operation not permitted'],
  [ENOENT]: ['ENOENT', 'No such file or directory'],
  [ESRCH]: ['ESRCH', 'No such process'],
  [EINTR]: ['EINTR', 'Interrupted system call'],
  [EIO]: ['EIO', 'Input/output error'],
  [ENXIO]: ['ENXIO', 'No such device or address'],
  [E2BIG]: ['E2BIG', 'Argument list too long'],
  [EBADF]: ['EBADF', 'Bad file descriptor'],
  [EAGAIN]: ['EAGAIN', 'Resource temporarily unavailable'],
  [ENOMEM]: ['ENOMEM', 'Cannot allocate memory'],
  [EACCES]: ['EACCES', 'Permission denied'],
  [EBUSY]: ['EBUSY', 'Device or resource busy'],
  [EEXIST]: ['EEXIST', 'File exists'],
  [ENODEV]: ['ENODEV', 'No such device'],
  [EINVAL]: ['EINVAL', 'Invalid argument'],
  [ENOSPC]: ['ENOSPC', 'No space left on device'],
  [ERANGE]: ['ERANGE', 'Numerical result out of range'],
  [EMSGSIZE]: ['EMSGSIZE', 'Message too long'],
  [EPROTONOSUPPORT]: ['EPROTONOSUPPORT', 'Protocol not supported'],
  [EOPNOTSUPP]: ['EOPNOTSUPP', 'Operation not supported'],
  [EAFNOSUPPORT]: ['EAFNOSUPPORT', 'Address family not supported by protocol'],
  [EADDRINUSE]: ['EADDRINUSE', 'Address already in use'],
  [EADDRNOTAVAIL]: ['EADDRNOTAVAIL', 'Cannot assign requested address'],
  [ENETDOWN]: ['ENETDOWN', 'Network is down'],
  [ENETUNREACH]: ['ENETUNREACH', 'Network is unreachable'],
  [ENOBUFS]: ['ENOBUFS', 'No buffer space available'],
  [ETIMEDOUT]: ['ETIMEDOUT', 'Connection timed out'],
  [ECONNREFUSED]: ['ECONNREFUSED', 'Connection refused'],
  [EHOSTDOWN]: ['EHOSTDOWN', 'Host is down'],
  [EHOSTUNREACH]: ['EHOSTUNREACH', 'No route to host'],
  [EPIPE]: ['EPIPE', 'Broken pipe'],
  [ECONNABORTED]: ['ECONNABORTED', 'Software caused connection abort'],
  [ECONNRESET]: ['ECONNRESET', 'Connection reset by peer'],
  [EISCONN]: ['EISCONN', 'Transport endpoint is already connected'],
  [ENOTCONN]: ['ENOTCONN', 'Transport endpoint is not connected'],
  [EALREADY]: ['EALREADY', 'Operation already in progress'],
  [EINPROGRESS]: ['EINPROGRESS', 'Operation now in progress'],
};

/** The symbolic name of an errno (`17` → `'EEXIST'`); either sign. */
export function errnoName(errno: number): string {
  return NAMES[Math.abs(errno)]?.[0] ?? `E${Math.abs(errno)}`;
}

/** The C library's text for an errno (`17` → `'File exists'`), as iproute2 prints it; either sign. */
export function strerror(errno: number): string {
  return NAMES[Math.abs(errno)]?.[1] ?? `Unknown error ${Math.abs(errno)}`;
}

/**
 * An error carrying an errno, as the library API reports failures. It follows Node's convention
 * for system errors (`fs`, `net`, `dgram`): `errno` is negative (-17 for EEXIST) and `code` is
 * the symbolic name, so `err.code === 'EEXIST'` is the portable test.
 */
export class StackError extends Error {
  /** The negative errno, as Node reports it (EEXIST: -17). */
  readonly errno: number;
  /** Its symbolic name (`'EEXIST'`), like Node's `err.code`. */
  readonly code: string;

  /**
   * @param errno the errno, either sign
   * @param message defaults to {@link strerror}'s text
   */
  constructor(errno: number, message?: string) {
    const e = Math.abs(errno);
    super(message ?? strerror(e));
    this.errno = -e;
    this.code = errnoName(e);
    this.name = 'StackError';
  }
}
