/**
 * Catalog inputs for the map stages (stylize, embed): folders, globs, archives and datasets read
 * as one frame of items, each item decoded to an id or a quarantine reason, and the quarantine
 * table and reconciling count line they share. Depends on io, image and data only.
 */
package io.atelier.common.catalog;
