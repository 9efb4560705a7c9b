// @ts-check
// A Junction router with the typed `shop` contract implemented inside it.
// Run: node examples/interop/server.mjs [port]
import { Router } from '@junction/router';
import { implement } from '@junction/contract';
import { shop } from './contract.mjs';

const router = new Router({ realms: [{ name: 'realm1' }] });
const { url } = await router.listen({ port: Number(process.argv[2] ?? 8080), host: '127.0.0.1' });
const realm = router.realm('realm1');
if (realm === undefined) throw new Error('no realm1');

/** @type {Record<string, { price: number, stock: number }>} */
const stock = { apple: { price: 0.5, stock: 10 }, pear: { price: 0.75, stock: 2 } };

await implement(realm, shop, {
  quote: ({ item, quantity }) => {
    const entry = stock[item];
    const left = entry?.stock ?? 0;
    if (entry === undefined || quantity > left) throw shop.errors.OutOfStock.create({ item, left }, `only ${left} ${item} left`);
    return { item, quantity, total: quantity * entry.price };
  },
});

console.log(`Router listening on ${url}`);
const stop = () => router.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
