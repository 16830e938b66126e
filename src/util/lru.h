/* lru.h - the recency list of a cache: an intrusive doubly linked list,
 * most recent first, least recent at tail. Entries embed an sfmc_lru_link
 * (owned by the entry's owner; the list owns nothing) and are found back
 * from it with SFMC_LRU_ENTRY. Used by the pack reader's base cache and the
 * tree reader's raw-tree cache. */
#ifndef SFMC_UTIL_LRU_H
#define SFMC_UTIL_LRU_H

#include <stddef.h>

typedef struct sfmc_lru_link {
	struct sfmc_lru_link *prev, *next;
} sfmc_lru_link;

typedef struct sfmc_lru {
	sfmc_lru_link *head, *tail;
} sfmc_lru;

/* The entry of type T whose member M is link (NULL for NULL). */
#define SFMC_LRU_ENTRY(link, T, M) ((link) ? (T *)(void *)((char *)(link) - offsetof(T, M)) : (T *)NULL)

static inline void sfmc_lru_unlink(sfmc_lru *l, sfmc_lru_link *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		l->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		l->tail = e->prev;
	e->prev = e->next = NULL;
}

static inline void sfmc_lru_push_front(sfmc_lru *l, sfmc_lru_link *e)
{
	e->prev = NULL;
	e->next = l->head;
	if (l->head)
		l->head->prev = e;
	l->head = e;
	if (!l->tail)
		l->tail = e;
}

/* Moves a linked entry to the front: it was just used. */
static inline void sfmc_lru_touch(sfmc_lru *l, sfmc_lru_link *e)
{
	sfmc_lru_unlink(l, e);
	sfmc_lru_push_front(l, e);
}

#endif
