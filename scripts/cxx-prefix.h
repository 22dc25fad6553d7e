// The standard headers BoringSSL's C++ sources include (two copies of BoringSSL are built: swift-nio-ssl's
// and swift-crypto's, more than 500 files). scripts/test precompiles this header and has every C++ file of
// the test build include it first (`-Xcxx -include-pch`): parsing these headers again for each file was
// most of the time their compiles took. Clang refuses a precompiled header made with other options.
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bitset>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
