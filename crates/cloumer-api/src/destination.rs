//! Destinations for going live (filled in below).
