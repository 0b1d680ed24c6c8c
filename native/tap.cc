// TAP character device: /dev/net/tun, TUNSETIFF/TUNGETIFF with IFF_TAP|IFF_NO_PI[|IFF_VNET_HDR], TUNSETVNETHDRSZ,
// TUNSETOFFLOAD, TUNSETCARRIER (drivers/net/tun.c);
// link state via SIOC[GS]IFFLAGS, SIOC[GS]IFMTU, SIOCGIFHWADDR on an AF_INET socket (net/core/dev_ioctl.c).
#include <napi.h>
#include <uv.h>

#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <memory>
#include <string>

namespace {

class Tap;

// The uv handle lives in its own allocation because uv_close() completes on a later loop
// iteration, possibly after the Tap has been garbage-collected.
struct PollBox {
  uv_poll_t handle;
  Tap* owner;
  napi_async_cleanup_hook_handle hook;  // released once the handle is closed (env teardown)
};

const char* ErrName(int e) {
  static char buf[48];
  if (e == EBADFD) return "EBADFD";  // not in libuv's table, but it is what tun returns after removal
  uv_err_name_r(-e, buf, sizeof buf);
  if (strncmp(buf, "Unknown", 7) == 0) snprintf(buf, sizeof buf, "ERRNO_%d", e);
  return buf;
}

Napi::Error CodedError(Napi::Env env, int err, const char* syscall, const std::string& msg) {
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, ErrName(err)));
  e.Set("errno", Napi::Number::New(env, -err));  // negative, as Node reports system errors
  e.Set("syscall", Napi::String::New(env, syscall));
  return e;
}

// "<syscall> <subject>: <strerror> (<hint>)"
Napi::Error SysError(Napi::Env env, int err, const char* syscall, const std::string& subject,
                     const std::string& hint) {
  std::string msg = syscall;
  if (!subject.empty()) msg += " " + subject;
  msg += ": ";
  msg += strerror(err);
  if (!hint.empty()) msg += " (" + hint + ")";
  return CodedError(env, err, syscall, msg);
}

std::string IoHint(int err) {
  switch (err) {
    case EPERM: case EACCES: return "needs root or CAP_NET_ADMIN";
    case EBADFD: return "the device was removed";
    case EIO: return "is the device up?";
    case ENODEV: return "no such device in this network namespace";
    default: return "";
  }
}

// Mirrors the kernel's dev_valid_name() plus our ban on ':' (alias syntax) and whitespace.
bool ValidIfName(const std::string& n) {
  if (n.empty()) return true;  // kernel chooses tap%d
  if (n.size() > IFNAMSIZ - 1 || n == "." || n == "..") return false;
  for (unsigned char c : n)
    if (c == '/' || c == ':' || c == '\0' || isspace(c)) return false;
  return true;
}

uint32_t ToU32(Napi::Env env, Napi::Value v, const char* what) {
  if (!v.IsNumber()) throw Napi::TypeError::New(env, std::string(what) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 4294967295.0) || d != static_cast<double>(static_cast<uint64_t>(d)))
    throw Napi::RangeError::New(env, std::string(what) + " must be an integer in [0, 2^32)");
  return static_cast<uint32_t>(d);
}

// Returns the data pointer (already offset) of a typed array of the expected kind.
void* TypedData(Napi::Env env, Napi::Value v, napi_typedarray_type want, const char* what, size_t* count) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  napi_typedarray_type type;
  void* data = nullptr;
  if (is) napi_get_typedarray_info(env, v, &type, count, &data, nullptr, nullptr);
  if (!is || type != want)
    throw Napi::TypeError::New(env, std::string(what) + (want == napi_uint8_array ? " must be a Buffer or Uint8Array"
                                                                                  : " must be a Uint32Array"));
  return data;
}

bool IsDrop(int e) { return e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS; }

class Tap : public Napi::ObjectWrap<Tap> {
 public:
  static Napi::Object Init(Napi::Env env, Napi::Object exports) {
    Napi::Function ctor = DefineClass(env, "Tap", {
      InstanceMethod<&Tap::Start>("start"), InstanceMethod<&Tap::Stop>("stop"),
      InstanceMethod<&Tap::RefPoll>("ref"), InstanceMethod<&Tap::UnrefPoll>("unref"),
      InstanceMethod<&Tap::Write>("write"), InstanceMethod<&Tap::WriteBatch>("writeBatch"),
      InstanceMethod<&Tap::SetUp>("setUp"), InstanceMethod<&Tap::IsUp>("isUp"),
      InstanceMethod<&Tap::GetMtu>("getMtu"), InstanceMethod<&Tap::SetMtu>("setMtu"),
      InstanceMethod<&Tap::GetMac>("getMac"), InstanceMethod<&Tap::SetCarrier>("setCarrier"),
      InstanceMethod<&Tap::Close>("close"), InstanceMethod<&Tap::SetOffload>("setOffload"),
      InstanceAccessor<&Tap::GetName>("name"), InstanceAccessor<&Tap::GetCreated>("created"),
      InstanceAccessor<&Tap::GetIfindex>("ifindex"), InstanceAccessor<&Tap::GetFd>("fd"),
      InstanceAccessor<&Tap::GetClosed>("closed"), InstanceAccessor<&Tap::GetPolling>("polling"),
      InstanceAccessor<&Tap::GetBatch>("batch"), InstanceAccessor<&Tap::GetFrameSize>("frameSize"),
      InstanceAccessor<&Tap::GetRxBuffer>("rxBuffer"), InstanceAccessor<&Tap::GetRxLengths>("rxLengths"),
      InstanceAccessor<&Tap::GetRxTruncated>("rxTruncated"), InstanceAccessor<&Tap::GetTxDropped>("txDropped"),
      InstanceAccessor<&Tap::GetRxOffsets>("rxOffsets"), InstanceAccessor<&Tap::GetVnetHdr>("vnetHdr"),
      InstanceAccessor<&Tap::GetMaxFrame>("maxFrame"),
    });
    exports.Set("Tap", ctor);
    return exports;
  }

  explicit Tap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Tap>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsString()) throw Napi::TypeError::New(env, "name must be a string");
    if (!info[1].IsObject()) throw Napi::TypeError::New(env, "opts must be an object { batch, frameSize, maxFrame?, vnetHdr? }");
    std::string name = info[0].As<Napi::String>().Utf8Value();
    Napi::Object opts = info[1].As<Napi::Object>();
    uint32_t batch = ToU32(env, opts.Get("batch"), "opts.batch");
    uint32_t frameSize = ToU32(env, opts.Get("frameSize"), "opts.frameSize");
    if (batch < 1 || batch > 4096) throw Napi::RangeError::New(env, "opts.batch must be 1-4096");
    if (frameSize < 64 || frameSize > 131072) throw Napi::RangeError::New(env, "opts.frameSize must be 64-131072");
    Napi::Value mf = opts.Get("maxFrame");
    uint32_t maxFrame = mf.IsUndefined() ? frameSize : ToU32(env, mf, "opts.maxFrame");
    if (maxFrame < frameSize || maxFrame > 131072)
      throw Napi::RangeError::New(env, "opts.maxFrame must be frameSize-131072");
    Napi::Value vh = opts.Get("vnetHdr");
    if (!vh.IsUndefined() && !vh.IsBoolean()) throw Napi::TypeError::New(env, "opts.vnetHdr must be a boolean");
    bool vnet = vh.IsBoolean() && vh.As<Napi::Boolean>().Value();
    if (!ValidIfName(name))
      throw CodedError(env, EINVAL, "TUNSETIFF",
                       "bad interface name '" + name + "': must be 1-15 characters without '/', ':' or whitespace");

    // One slab for the whole batch, created once; JS reads frames in place. Allocated before the
    // fd is opened so nothing can throw while we own an fd that is not yet in fd_.
    // The arena takes `batch` frames of frameSize or fewer larger ones: each read gets maxFrame
    // bytes of room and uses what the frame needs (rounded up to a cache line), so small frames
    // do not each cost a super-frame's slot.
    rxArena_ = static_cast<size_t>(batch) * frameSize + (maxFrame > frameSize ? 4 * static_cast<size_t>(maxFrame) : 0);
    Napi::Buffer<uint8_t> rx = Napi::Buffer<uint8_t>::New(env, rxArena_);
    rx_ = rx.Data();
    rxBuf_ = Napi::Persistent(rx.As<Napi::Object>());
    Napi::Uint32Array lens = Napi::Uint32Array::New(env, batch);
    lengths_ = lens.Data();
    rxLens_ = Napi::Persistent(lens.As<Napi::Object>());
    Napi::Uint32Array offs = Napi::Uint32Array::New(env, batch);
    offsets_ = offs.Data();
    rxOffs_ = Napi::Persistent(offs.As<Napi::Object>());

    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      int e = errno;
      std::string hint = (e == ENOENT || e == ENODEV || e == ENXIO) ? "is the tun module loaded?"
                         : (e == EACCES || e == EPERM)               ? "needs root, or a device mode that lets this user open it"
                                                                     : "";
      throw SysError(env, e, "open", "/dev/net/tun", hint);
    }
    bool existed = !name.empty() && if_nametoindex(name.c_str()) != 0;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
    memcpy(ifr.ifr_name, name.data(), name.size());
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
      int e = errno;
      close(fd);
      std::string subject = name.empty() ? "(auto)" : name;
      std::string hint = e == EPERM  ? "needs root or CAP_NET_ADMIN"
                         : e == EBUSY ? "another process holds it"
                         : e == EINVAL && existed ? "'" + name + "' exists but is not a single-queue TAP device"
                                                  : "";
      throw SysError(env, e, "TUNSETIFF", subject, hint);
    }
    if (vnet) {
      // struct virtio_net_hdr, 10 bytes: then the IP header of a frame read into a 64-byte
      // aligned slot starts 4-byte aligned (10 + 14).
      int sz = 10;
      if (ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0) {
        int e = errno;
        close(fd);
        throw SysError(env, e, "TUNSETVNETHDRSZ", name.empty() ? "(auto)" : name, "");
      }
    }
    vnet_ = vnet;
    maxFrame_ = maxFrame;
    fd_ = fd;
    name_.assign(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ));  // kernel fills in the chosen name
    created_ = !existed;
    ifindex_ = static_cast<int>(if_nametoindex(name_.c_str()));
    batch_ = batch;
    frameSize_ = frameSize;

    // At env teardown (e.g. a Worker exiting) close the poll handle and fd before the loop goes away,
    // instead of depending on when finalizers run.
    napi_add_async_cleanup_hook(env, &Tap::AsyncCleanup, this, &cleanupHook_);
  }

  ~Tap() override { Shutdown(false, nullptr); }

 private:
  void EnsureOpen(Napi::Env env) {
    if (fd_ < 0) throw CodedError(env, EBADF, "tap", "tap device is closed");
  }

  // Current kernel name (the device may have been renamed since we opened it).
  const std::string& CurrentName() {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    if (fd_ >= 0 && ioctl(fd_, TUNGETIFF, &ifr) == 0) name_.assign(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ));
    return name_;
  }

  // SIOC* ioctls need a socket in the caller's netns; opened per call so the object holds no extra fd.
  // Returns 0 or an errno.
  int TryDevIoctl(unsigned long req, struct ifreq* ifr) {
    const std::string& n = CurrentName();
    memcpy(ifr->ifr_name, n.data(), n.size());
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return errno;
    int r = ioctl(s, req, ifr);
    int e = r < 0 ? errno : 0;
    close(s);
    return e;
  }

  void DevIoctl(Napi::Env env, unsigned long req, struct ifreq* ifr, const char* what) {
    if (int e = TryDevIoctl(req, ifr)) throw SysError(env, e, what, name_, IoHint(e));
  }

  void Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    EnsureOpen(env);
    if (!info[0].IsFunction()) throw Napi::TypeError::New(env, "onFrames must be a function");
    if (!info[1].IsUndefined() && !info[1].IsNull() && !info[1].IsFunction())
      throw Napi::TypeError::New(env, "onError must be a function");
    if (!poll_) {
      uv_loop_t* loop = nullptr;
      if (napi_get_uv_event_loop(env, &loop) != napi_ok) throw Napi::Error::New(env, "no uv loop");
      auto* box = new PollBox{{}, this, nullptr};
      int r = uv_poll_init(loop, &box->handle, fd_);
      if (r < 0) {
        delete box;
        throw SysError(env, -r, "uv_poll_init", name_, "");
      }
      box->handle.data = box;
      if (!refed_) uv_unref(reinterpret_cast<uv_handle_t*>(&box->handle));
      poll_ = box;
    }
    // Each start() opens a new async context, so callbacks run in the context start() was called from
    // (AsyncLocalStorage etc.). Invoke() holds its own reference, so replacing it mid-callback is safe.
    asyncCtx_ = std::make_shared<Napi::AsyncContext>(env, "TapDevice", Value());
    onFrames_ = Napi::Persistent(info[0].As<Napi::Function>());
    if (info[1].IsFunction()) onError_ = Napi::Persistent(info[1].As<Napi::Function>());
    else onError_.Reset();
    if (!polling_) {
      int r = uv_poll_start(&poll_->handle, UV_READABLE, &Tap::OnPoll);
      if (r < 0) throw SysError(env, -r, "uv_poll_start", name_, "");
      polling_ = true;
      // An active poll keeps the wrapper alive, like a net.Socket: dropping the last JS
      // reference must not silently stop reception.
      if (!selfRef_) { Ref(); selfRef_ = true; }
    }
  }

  void StopPolling(bool dropSelfRef) {
    if (polling_ && poll_) uv_poll_stop(&poll_->handle);
    polling_ = false;
    if (selfRef_ && dropSelfRef) { Unref(); selfRef_ = false; }
  }

  void Stop(const Napi::CallbackInfo&) { StopPolling(true); }

  void RefPoll(const Napi::CallbackInfo&) {
    refed_ = true;
    if (poll_) uv_ref(reinterpret_cast<uv_handle_t*>(&poll_->handle));
  }
  void UnrefPoll(const Napi::CallbackInfo&) {
    refed_ = false;
    if (poll_) uv_unref(reinterpret_cast<uv_handle_t*>(&poll_->handle));
  }

  static void OnPoll(uv_poll_t* h, int status, int events) {
    auto* box = static_cast<PollBox*>(h->data);
    if (box->owner && box->owner->polling_) box->owner->OnReadable(status);
  }

  void OnReadable(int status) {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    Napi::Object self = Value();  // keeps the wrapper reachable while JS runs
    (void)self;
    uint32_t n = 0;
    int err = 0;
    // tun_chr_read_iter() returns min(frame, buffer), so a plain read() cannot tell a truncated
    // frame from one that exactly fits: a 1-byte spill iovec after the slot reveals it.
    uint8_t spill;
    struct iovec iov[2] = {{nullptr, maxFrame_}, {&spill, 1}};
    size_t at = 0;
    while (n < batch_ && at + maxFrame_ <= rxArena_) {
      iov[0].iov_base = rx_ + at;
      ssize_t r = readv(fd_, iov, 2);
      if (r < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) err = errno;
        break;
      }
      if (r == 0) break;
      if (static_cast<size_t>(r) > maxFrame_) { rxTruncated_++; r = maxFrame_; }
      offsets_[n] = static_cast<uint32_t>(at);
      lengths_[n++] = static_cast<uint32_t>(r);
      at += (static_cast<size_t>(r) + 63) & ~static_cast<size_t>(63);
    }
    const char* syscall = "readv";
    if (status < 0 && err == 0) {  // libuv already stopped the watcher (e.g. EPOLLERR)
      err = -status;
      syscall = "uv_poll";
    }
    if (n > 0) Invoke(onFrames_, {Napi::Number::New(env, n)});
    if (err == 0 || fd_ < 0 || !polling_) return;  // the callback may have stopped or closed us
    StopPolling(true);
    if (onError_.IsEmpty()) return;
    Napi::Error e = SysError(env, err, syscall, CurrentName(), IoHint(err));
    Napi::FunctionReference onError = std::move(onError_);
    Invoke(onError, {e.Value()});
  }

  void Invoke(Napi::FunctionReference& fn, std::initializer_list<napi_value> args) {
    if (fn.IsEmpty() || !asyncCtx_) return;
    std::shared_ptr<Napi::AsyncContext> ctx = asyncCtx_;
    try {
      // MakeCallback drains nextTicks/microtasks afterwards and attributes the work to our async resource.
      fn.MakeCallback(Value(), args, *ctx);
    } catch (const Napi::Error& e) {
      napi_fatal_exception(Env(), e.Value());
    }
  }

  Napi::Value Write(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    EnsureOpen(env);
    size_t len = 0;
    auto* data = static_cast<uint8_t*>(TypedData(env, info[0], napi_uint8_array, "buf", &len));
    uint32_t off = ToU32(env, info[1], "offset"), n = ToU32(env, info[2], "length");
    if (static_cast<uint64_t>(off) + n > len) throw Napi::RangeError::New(env, "offset + length exceeds buf");
    ssize_t r;
    do r = ::write(fd_, data + off, n);
    while (r < 0 && errno == EINTR);
    if (r < 0) {
      int e = errno;  // CurrentName() issues an ioctl, so capture errno first
      if (IsDrop(e)) return Napi::Number::New(env, -e);
      throw SysError(env, e, "write", CurrentName(), IoHint(e));
    }
    return Napi::Number::New(env, static_cast<double>(r));
  }

  Napi::Value WriteBatch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    EnsureOpen(env);
    size_t len = 0, nOff = 0, nLen = 0;
    auto* data = static_cast<uint8_t*>(TypedData(env, info[0], napi_uint8_array, "buf", &len));
    auto* offs = static_cast<uint32_t*>(TypedData(env, info[1], napi_uint32_array, "offsets", &nOff));
    auto* lens = static_cast<uint32_t*>(TypedData(env, info[2], napi_uint32_array, "lengths", &nLen));
    uint32_t count = ToU32(env, info[3], "count");
    if (count > nOff || count > nLen) throw Napi::RangeError::New(env, "count exceeds offsets/lengths");
    for (uint32_t i = 0; i < count; i++)  // validate everything first: no partial batch on bad input
      if (static_cast<uint64_t>(offs[i]) + lens[i] > len)
        throw Napi::RangeError::New(env, "frame " + std::to_string(i) + " exceeds buf");
    uint32_t written = 0;
    for (uint32_t i = 0; i < count; i++) {
      ssize_t r;
      do r = ::write(fd_, data + offs[i], lens[i]);
      while (r < 0 && errno == EINTR);
      if (r >= 0) { written++; continue; }
      if (IsDrop(errno)) { txDropped_++; continue; }
      int e = errno;
      Napi::Error err = SysError(env, e, "write", CurrentName(), IoHint(e));
      err.Set("written", Napi::Number::New(env, written));
      throw err;
    }
    return Napi::Number::New(env, written);
  }

  void SetUp(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    EnsureOpen(env);
    if (!info[0].IsBoolean()) throw Napi::TypeError::New(env, "up must be a boolean");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    DevIoctl(env, SIOCGIFFLAGS, &ifr, "SIOCGIFFLAGS");
    if (info[0].As<Napi::Boolean>()) ifr.ifr_flags |= IFF_UP;
    else ifr.ifr_flags &= ~IFF_UP;
    DevIoctl(env, SIOCSIFFLAGS, &ifr, "SIOCSIFFLAGS");
  }

  Napi::Value IsUp(const Napi::CallbackInfo& info) {
    EnsureOpen(info.Env());
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    DevIoctl(info.Env(), SIOCGIFFLAGS, &ifr, "SIOCGIFFLAGS");
    return Napi::Boolean::New(info.Env(), (ifr.ifr_flags & IFF_UP) != 0);
  }

  Napi::Value GetMtu(const Napi::CallbackInfo& info) {
    EnsureOpen(info.Env());
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    DevIoctl(info.Env(), SIOCGIFMTU, &ifr, "SIOCGIFMTU");
    return Napi::Number::New(info.Env(), ifr.ifr_mtu);
  }

  void SetMtu(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    EnsureOpen(env);
    uint32_t mtu = ToU32(env, info[0], "mtu");
    if (mtu > 0x7fffffff) throw Napi::RangeError::New(env, "mtu out of range");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_mtu = static_cast<int>(mtu);
    if (int e = TryDevIoctl(SIOCSIFMTU, &ifr))
      throw SysError(env, e, "SIOCSIFMTU", name_,
                     e == EINVAL ? "MTU " + std::to_string(mtu) + " is outside the device's range, 68-65521 for a TAP"
                                 : IoHint(e));
  }

  Napi::Value GetMac(const Napi::CallbackInfo& info) {
    EnsureOpen(info.Env());
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    DevIoctl(info.Env(), SIOCGIFHWADDR, &ifr, "SIOCGIFHWADDR");
    return Napi::Buffer<uint8_t>::Copy(info.Env(), reinterpret_cast<uint8_t*>(ifr.ifr_hwaddr.sa_data), 6);
  }

  void SetCarrier(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    EnsureOpen(env);
    if (!info[0].IsBoolean()) throw Napi::TypeError::New(env, "on must be a boolean");
    int on = info[0].As<Napi::Boolean>() ? 1 : 0;
    if (ioctl(fd_, TUNSETCARRIER, &on) < 0) {
      int e = errno;
      throw SysError(env, e, "TUNSETCARRIER", CurrentName(),
                     (e == EINVAL || e == ENOTTY) ? "unsupported by this kernel (needs Linux 5.0+)" : IoHint(e));
    }
  }

  // setOffload(flags) -> 0 or -errno: TUNSETOFFLOAD, which sets what the kernel may hand us
  // (partial checksums, TSO/USO super-frames). EINVAL means a flag this kernel does not have.
  Napi::Value SetOffload(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    EnsureOpen(env);
    uint32_t flags = ToU32(env, info[0], "flags");
    if (ioctl(fd_, TUNSETOFFLOAD, static_cast<unsigned long>(flags)) < 0) return Napi::Number::New(env, -errno);
    return Napi::Number::New(env, 0);
  }

  void Close(const Napi::CallbackInfo&) { Shutdown(true, nullptr); }

  // Idempotent teardown. fromJs=false (finalizer / env cleanup) must not touch the wrapper's own reference.
  void Shutdown(bool fromJs, napi_async_cleanup_hook_handle pendingHook) {
    StopPolling(fromJs);  // uv_poll_stop removes the fd from epoll, so closing the fd below is safe
    if (poll_) {
      poll_->owner = nullptr;
      poll_->hook = pendingHook;
      pendingHook = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(&poll_->handle), [](uv_handle_t* h) {
        auto* box = static_cast<PollBox*>(h->data);
        napi_async_cleanup_hook_handle hook = box->hook;
        delete box;
        if (hook) napi_remove_async_cleanup_hook(hook);
      });
      poll_ = nullptr;
    }
    if (pendingHook) napi_remove_async_cleanup_hook(pendingHook);
    if (fd_ >= 0) {
      close(fd_);  // for a device we created (non-persistent) this also deletes it
      fd_ = -1;
    }
    if (fromJs) {
      onFrames_.Reset();
      onError_.Reset();
    }
    if (cleanupHook_) {
      napi_remove_async_cleanup_hook(cleanupHook_);
      cleanupHook_ = nullptr;
    }
  }

  static void AsyncCleanup(napi_async_cleanup_hook_handle h, void* arg) {
    auto* self = static_cast<Tap*>(arg);
    self->cleanupHook_ = nullptr;  // ownership of h passes to Shutdown: released after uv_close completes
    self->Shutdown(false, h);
  }

  Napi::Value GetName(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), CurrentName()); }
  Napi::Value GetCreated(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), created_); }
  Napi::Value GetIfindex(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), ifindex_); }
  Napi::Value GetFd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_); }
  Napi::Value GetClosed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), fd_ < 0); }
  Napi::Value GetPolling(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), polling_); }
  Napi::Value GetBatch(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), batch_); }
  Napi::Value GetFrameSize(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), frameSize_); }
  Napi::Value GetRxBuffer(const Napi::CallbackInfo&) { return rxBuf_.Value(); }
  Napi::Value GetRxLengths(const Napi::CallbackInfo&) { return rxLens_.Value(); }
  Napi::Value GetRxTruncated(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(rxTruncated_));
  }
  Napi::Value GetRxOffsets(const Napi::CallbackInfo&) { return rxOffs_.Value(); }
  Napi::Value GetVnetHdr(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), vnet_); }
  Napi::Value GetMaxFrame(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), maxFrame_); }
  Napi::Value GetTxDropped(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(txDropped_));
  }

  int fd_ = -1;
  std::string name_;
  bool created_ = false;
  int ifindex_ = 0;
  uint32_t batch_ = 0, frameSize_ = 0, maxFrame_ = 0;
  size_t rxArena_ = 0;
  bool vnet_ = false;
  uint8_t* rx_ = nullptr;
  uint32_t* lengths_ = nullptr;
  uint32_t* offsets_ = nullptr;
  Napi::ObjectReference rxBuf_, rxLens_, rxOffs_;
  PollBox* poll_ = nullptr;
  bool polling_ = false, refed_ = true, selfRef_ = false;
  Napi::FunctionReference onFrames_, onError_;
  std::shared_ptr<Napi::AsyncContext> asyncCtx_;
  napi_async_cleanup_hook_handle cleanupHook_ = nullptr;
  uint64_t rxTruncated_ = 0, txDropped_ = 0;
};

// peerCred(fd) -> {pid, uid, gid}: SO_PEERCRED of a connected Unix socket, which Node does not
// expose; the control socket uses it to decide who may change the stack.
Napi::Value PeerCred(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "peerCred(fd): fd must be a number");
  int fd = info[0].As<Napi::Number>().Int32Value();
  struct ucred cred;
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) throw SysError(env, errno, "getsockopt", "SO_PEERCRED", "");
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", Napi::Number::New(env, cred.pid));
  o.Set("uid", Napi::Number::New(env, cred.uid));
  o.Set("gid", Napi::Number::New(env, cred.gid));
  return o;
}

// mallocKeep(topPad, trimThreshold) -> true: glibc's M_TOP_PAD and M_TRIM_THRESHOLD, so the heap
// grows in large steps and keeps what is freed instead of handing it back and faulting it in
// again: the receive path copies every super-frame into a fresh Buffer, and page faults plus
// clear_page on memory just given back measured ~15 % of a TCP receive at 10 Gbit/s.
Napi::Value MallocKeep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber())
    throw Napi::TypeError::New(env, "mallocKeep(topPad, trimThreshold): numbers expected");
  bool ok = mallopt(M_TOP_PAD, info[0].As<Napi::Number>().Int32Value()) == 1 &&
            mallopt(M_TRIM_THRESHOLD, info[1].As<Napi::Number>().Int32Value()) == 1;
  return Napi::Boolean::New(env, ok);
}

Napi::Object InitAll(Napi::Env env, Napi::Object exports) {
  exports.Set("peerCred", Napi::Function::New(env, PeerCred, "peerCred"));
  exports.Set("mallocKeep", Napi::Function::New(env, MallocKeep, "mallocKeep"));
  return Tap::Init(env, exports);
}

}  // namespace

NODE_API_MODULE(tapstack_native, InitAll)
