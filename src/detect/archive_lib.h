/* archive_lib.h - libarchive, loaded with dlopen the first time a scan meets
 * an archive: linking it would load 14 shared libraries (libxml2, ICU,
 * nettle, ...) into every run, ~2.5 ms that a pre-commit hook pays on every
 * commit. Included by archive.c alone, after <archive.h>: each call below goes
 * through a pointer typed from libarchive's own declaration. Loading happens
 * once (pthread_once); afterwards the pointers are read-only. */
#ifndef SFMC_ARCHIVE_LIB_H
#define SFMC_ARCHIVE_LIB_H

#include <archive.h>
#include <archive_entry.h>

#define SFMC_ARCHIVE_FUNCTIONS(X)             \
	X(archive_entry_filetype)             \
	X(archive_entry_is_data_encrypted)    \
	X(archive_entry_pathname)             \
	X(archive_error_string)               \
	X(archive_filter_code)                \
	X(archive_filter_count)               \
	X(archive_format)                     \
	X(archive_read_data)                  \
	X(archive_read_free)                  \
	X(archive_read_new)                   \
	X(archive_read_next_header)           \
	X(archive_read_open_fd)               \
	X(archive_read_open_memory)           \
	X(archive_read_support_filter_bzip2)  \
	X(archive_read_support_filter_gzip)   \
	X(archive_read_support_filter_lz4)    \
	X(archive_read_support_filter_lzip)   \
	X(archive_read_support_filter_lzma)   \
	X(archive_read_support_filter_xz)     \
	X(archive_read_support_filter_zstd)   \
	X(archive_read_support_format_7zip)   \
	X(archive_read_support_format_ar)     \
	X(archive_read_support_format_cpio)   \
	X(archive_read_support_format_gnutar) \
	X(archive_read_support_format_rar)    \
	X(archive_read_support_format_rar5)   \
	X(archive_read_support_format_raw)    \
	X(archive_read_support_format_tar)    \
	X(archive_read_support_format_zip)

#define SFMC_ARCHIVE_POINTER(f) extern __typeof__(f) *sfmc_lazy_##f;
SFMC_ARCHIVE_FUNCTIONS(SFMC_ARCHIVE_POINTER)
#undef SFMC_ARCHIVE_POINTER

/* Loads libarchive once. Returns 0, or SFMC_ERROR (message set) when it cannot
 * be loaded: the caller records the archive as not read (fail closed). */
int sfmc_archive_lib_load(void);

#ifndef SFMC_ARCHIVE_LIB_IMPL
#define archive_entry_filetype (*sfmc_lazy_archive_entry_filetype)
#define archive_entry_is_data_encrypted (*sfmc_lazy_archive_entry_is_data_encrypted)
#define archive_entry_pathname (*sfmc_lazy_archive_entry_pathname)
#define archive_error_string (*sfmc_lazy_archive_error_string)
#define archive_filter_code (*sfmc_lazy_archive_filter_code)
#define archive_filter_count (*sfmc_lazy_archive_filter_count)
#define archive_format (*sfmc_lazy_archive_format)
#define archive_read_data (*sfmc_lazy_archive_read_data)
#define archive_read_free (*sfmc_lazy_archive_read_free)
#define archive_read_new (*sfmc_lazy_archive_read_new)
#define archive_read_next_header (*sfmc_lazy_archive_read_next_header)
#define archive_read_open_fd (*sfmc_lazy_archive_read_open_fd)
#define archive_read_open_memory (*sfmc_lazy_archive_read_open_memory)
#define archive_read_support_filter_bzip2 (*sfmc_lazy_archive_read_support_filter_bzip2)
#define archive_read_support_filter_gzip (*sfmc_lazy_archive_read_support_filter_gzip)
#define archive_read_support_filter_lz4 (*sfmc_lazy_archive_read_support_filter_lz4)
#define archive_read_support_filter_lzip (*sfmc_lazy_archive_read_support_filter_lzip)
#define archive_read_support_filter_lzma (*sfmc_lazy_archive_read_support_filter_lzma)
#define archive_read_support_filter_xz (*sfmc_lazy_archive_read_support_filter_xz)
#define archive_read_support_filter_zstd (*sfmc_lazy_archive_read_support_filter_zstd)
#define archive_read_support_format_7zip (*sfmc_lazy_archive_read_support_format_7zip)
#define archive_read_support_format_ar (*sfmc_lazy_archive_read_support_format_ar)
#define archive_read_support_format_cpio (*sfmc_lazy_archive_read_support_format_cpio)
#define archive_read_support_format_gnutar (*sfmc_lazy_archive_read_support_format_gnutar)
#define archive_read_support_format_rar (*sfmc_lazy_archive_read_support_format_rar)
#define archive_read_support_format_rar5 (*sfmc_lazy_archive_read_support_format_rar5)
#define archive_read_support_format_raw (*sfmc_lazy_archive_read_support_format_raw)
#define archive_read_support_format_tar (*sfmc_lazy_archive_read_support_format_tar)
#define archive_read_support_format_zip (*sfmc_lazy_archive_read_support_format_zip)
#endif

#endif
