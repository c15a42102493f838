-- Product descriptions are for buyers: how a product is paid is shown in plain words on the cart and
-- review pages, and with Amazon Pay's vocabulary in a developer note and the back office.
UPDATE products SET description = 'Stoneware, 350 ml.'
    WHERE id = 'mug' AND description = 'Stoneware, 350 ml. Charged when you order (AuthorizeWithCapture).';
UPDATE products SET description = 'Stainless steel, 1.2 l.'
    WHERE id = 'kettle' AND description = 'Stainless steel, 1.2 l. Authorized now, charged when it ships (Authorize).';
UPDATE products SET description = 'Ships next month. Nothing is charged until then.'
    WHERE id = 'espresso' AND description = 'Ships next month. Nothing is charged until then (Confirm).';
UPDATE products SET description = 'A PDF to download: nothing to ship.'
    WHERE id = 'ebook' AND description = 'A PDF, no shipping (PayOnly, AuthorizeWithCapture).';
