# vc-check-image: make eval, bench and fuzz recipes (issue 4).

IMAGES ?= ../shared/data/images
CHECK_IMAGE_ROUNDS ?= 5
PYTHON3 ?= python3

eval:: $(OUTBIN)/vc-check-image
	@if [ -d "$(IMAGES)" ]; then \
		echo "vc-check-image: structural verdicts against $(IMAGES)"; \
		$(PYTHON3) eval/check-image.py $(OUTBIN)/vc-check-image $(IMAGES) && \
		echo "vc-check-image --deep:" && \
		$(PYTHON3) eval/check-image.py $(OUTBIN)/vc-check-image $(IMAGES) --deep | grep -E '^(==|target)'; \
	else \
		echo "vc-check-image eval: $(IMAGES) is absent (it is not part of the repository)"; \
	fi

bench:: $(OUTBIN)/vc-check-image
	@if [ -d "$(IMAGES)" ]; then \
		$(PYTHON3) bench/check-image.py $(OUTBIN)/vc-check-image $(IMAGES) $(CHECK_IMAGE_ROUNDS); \
	else \
		echo "vc-check-image bench: $(IMAGES) is absent (it is not part of the repository)"; \
	fi

IMG_FUZZ = png jpeg gif webp bmp heif poly deflate
IMG_FUZZ_SRC = lib/img.c lib/img_png.c lib/img_jpeg.c lib/img_gif.c lib/img_webp.c \
	lib/img_bmp.c lib/img_isobmff.c lib/img_inflate.c lib/img_out.c lib/img_deep.c \
	lib/polyglot.c lib/buf.c lib/json.c lib/fdio.c \
	lib/msg.c
IMG_FUZZ_LIBS = $(shell pkg-config --libs zlib libpng libwebp libdeflate 2>/dev/null) -ljpeg -lgif

build-fuzz/fuzz_img_%: tests/fuzz/fuzz_image.c $(IMG_FUZZ_SRC) lib/img.h
	@mkdir -p $(@D)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Ilib $(shell pkg-config --cflags libpng 2>/dev/null) \
		-fsanitize=fuzzer,address,undefined -DFUZZ_$(shell echo $* | tr a-z A-Z) \
		-o $@ tests/fuzz/fuzz_image.c $(IMG_FUZZ_SRC) $(IMG_FUZZ_LIBS)

build-fuzz/seeds-img/.done: tests/fuzz/image-seeds.py tests/gen-images.py
	@rm -rf $(@D) && $(PYTHON3) tests/fuzz/image-seeds.py $(@D) && touch $@

fuzz:: $(IMG_FUZZ:%=build-fuzz/fuzz_img_%) build-fuzz/seeds-img/.done
	@for f in $(IMG_FUZZ); do \
		mkdir -p build-fuzz/corpus-img-$$f; \
		echo "fuzz_img_$$f: $(FUZZ_SECONDS) s"; \
		build-fuzz/fuzz_img_$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
			-timeout=10 build-fuzz/corpus-img-$$f build-fuzz/seeds-img/$$f \
			>build-fuzz/fuzz_img_$$f.log 2>&1; rc=$$?; \
		tail -n 1 build-fuzz/fuzz_img_$$f.log; \
		[ $$rc -eq 0 ] || { tail -n 40 build-fuzz/fuzz_img_$$f.log; exit 1; }; \
	done
