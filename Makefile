# vcobs — plain GNU make.  `make help` lists the targets.

VERSION = 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/vcobs
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

CC ?= cc
CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Werror
PKGS = libcurl icu-uc icu-i18n libhs libpcre2-8 sqlite3 zlib libpng libwebp libwebpdemux libdeflate
# Expanded lazily: `make deps demo` installs pkg-config and the libraries
# before the first compile asks for their flags.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# libjq 1.6 ships no .pc; libjpeg and giflib neither.
LIBS = -ljq $(PKG_LIBS) -ljpeg -lgif -lm

# make SANITIZE=1 builds an ASan+UBSan variant into build-san/.
ifeq ($(SANITIZE),1)
BUILD ?= build-san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SANFLAGS =
endif
# Binaries of the plain build land in bin/, as the README says.
ifeq ($(SANITIZE),1)
OUTBIN ?= $(BUILD)/bin
else
OUTBIN ?= bin
endif

ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) \
	-Ilib -DVC_VERSION='"$(VERSION)"' -DVC_DATADIR='"$(DATADIR)"' -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

LIB_SRC := $(sort $(wildcard lib/*.c))
CMD_SRC := $(sort $(wildcard cmd/vc-*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMDS := $(CMD_SRC:cmd/%.c=$(OUTBIN)/%)
UNITS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIBVC := $(BUILD)/libvc.a

# $(call install_files,MODE,FILES,DIR): nothing to do when FILES is empty.
install_files = $(if $(2),install -m $(1) $(2) $(DESTDIR)$(3)/)

.PHONY: all units check lint deps demo bench eval train fuzz install uninstall clean help
all: $(CMDS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBVC): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(OUTBIN)/%: $(BUILD)/cmd/%.o $(LIBVC)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/tests/unit/tap.o $(LIBVC)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

units: $(UNITS)

# Objects reached only through pattern rules are intermediate to make, which
# would delete them after each build and recompile them on the next.
.SECONDARY:

# The whole suite: C unit tests of lib/, then bats; the last line is
# "N passed, N failed[, N skipped]".
check: all units
	@VC_BIN=$(abspath $(OUTBIN)) VC_UNITS=$(abspath $(BUILD)/tests) \
		VC_DATADIR=$(abspath share/vcobs) \
		VC_MAKEVARS="BUILD=$(BUILD) OUTBIN=$(OUTBIN) SANITIZE=$(SANITIZE)" tests/run

lint:
	clang-format --dry-run --Werror lib/*.[ch] cmd/*.c tests/unit/*.[ch]
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--suppress=missingIncludeSystem -Ilib lib cmd
	mandoc -Tlint -Wwarning man/*.[0-9]

deps:
	@tests/deps

demo: all
	@VC_BIN=$(abspath $(OUTBIN)) VC_DATADIR=$(abspath share/vcobs) examples/demo

# Each tool adds its own recipes to these with double-colon rules in mk/.
bench:: all
eval:: all
train:: all
fuzz::

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(DATADIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
		$(DESTDIR)$(FISHCOMPDIR)
	$(call install_files,755,$(CMDS),$(BINDIR))
	$(call install_files,644,$(wildcard man/*.1),$(MANDIR)/man1)
	$(call install_files,644,$(wildcard man/*.7),$(MANDIR)/man7)
	cp -R share/vcobs/. $(DESTDIR)$(DATADIR)/
	$(call install_files,644,$(wildcard completions/bash/vc-*),$(BASHCOMPDIR))
	$(call install_files,644,$(wildcard completions/zsh/_vc-*),$(ZSHCOMPDIR))
	$(call install_files,644,$(wildcard completions/fish/vc-*.fish),$(FISHCOMPDIR))

uninstall:
	rm -f $(CMDS:$(OUTBIN)/%=$(DESTDIR)$(BINDIR)/%)
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man1/%,$(wildcard man/*.1))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man7/%,$(wildcard man/*.7))
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(patsubst completions/bash/%,$(DESTDIR)$(BASHCOMPDIR)/%,$(wildcard completions/bash/vc-*))
	rm -f $(patsubst completions/zsh/%,$(DESTDIR)$(ZSHCOMPDIR)/%,$(wildcard completions/zsh/_vc-*))
	rm -f $(patsubst completions/fish/%,$(DESTDIR)$(FISHCOMPDIR)/%,$(wildcard completions/fish/vc-*.fish))

clean:
	rm -rf build build-san build-fuzz bin

help:
	@echo 'targets: all deps check demo bench eval train fuzz lint install uninstall clean'
	@echo 'SANITIZE=1 builds with ASan+UBSan into build-san/'

-include mk/*.mk
-include $(LIB_OBJ:.o=.d) $(CMD_SRC:cmd/%.c=$(BUILD)/cmd/%.d)
