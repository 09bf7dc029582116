"""Lab 6's visible tests catch the plausible wrong answers, each with a message saying what is wrong.

Every mutant is a realistic student mistake in one solution cell (centroids without the end
point, an empty cluster moved to NaN, ties sent to the higher index, unused symbols in the
Huffman heap, codewords not zero-padded, a decoder that reads past ``count`` ...).  ``run_lab``
runs the lab as the student copy does (hidden tests removed) with that cell replaced; the named
visible test must fail with a message matching the regex.
"""


from .lab_runner import lab_tests

LAB = "lab06_compression"

LINEAR = '''
def linear_centroids(values, k):
    values = np.asarray(values, dtype=np.float64)
    return {result}
'''

KMEANS = '''
def kmeans(values, k, max_iterations=300):
    values = np.asarray(values, dtype=np.float64).ravel()
    centroids = {init}

    def assign(centroids):
        return {assign}

    labels = assign(centroids)
    for _ in range({iterations}):
        for cluster in range(k):
            members = values[labels == cluster]
            {update}
        new_labels = assign(centroids)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return centroids, labels
'''
KMEANS_DEFAULTS = {"init": "np.linspace(values.min(), values.max(), k)",
                   "assign": "np.abs(values[:, None] - centroids[None, :]).argmin(axis=1)",
                   "iterations": "max_iterations",
                   "update": "if members.size:\n                centroids[cluster] = members.mean()"}


def kmeans(**changes):
    return KMEANS.format(**{**KMEANS_DEFAULTS, **changes})


HUFFMAN = '''
def huffman_lengths(counts):
    counts = [int(c) for c in counts]
    lengths = [0] * len(counts)
    heap = [({key}, symbol, [symbol]) for symbol, count in enumerate(counts) if {used}]
    if {single}:
        lengths[heap[0][1]] = 1
        return lengths
    heapq.heapify(heap)
    order = len(counts)
    while len(heap) > 1:
        count_a, _, members_a = heapq.heappop(heap)
        count_b, _, members_b = heapq.heappop(heap)
        for symbol in {grown}:
            lengths[symbol] += 1
        heapq.heappush(heap, (count_a + count_b, order, members_a + members_b))
        order += 1
    return lengths
'''
HUFFMAN_DEFAULTS = {"key": "count", "used": "count > 0", "single": "len(heap) == 1", "grown": "members_a + members_b"}


def huffman(**changes):
    return HUFFMAN.format(**{**HUFFMAN_DEFAULTS, **changes})


HUFFMAN_SHANNON = '''
def huffman_lengths(counts):
    counts = np.asarray(counts, dtype=np.float64)
    lengths = np.zeros(len(counts), dtype=np.int64)
    used = counts > 0
    lengths[used] = np.maximum(1, np.ceil(-np.log2(counts[used] / counts.sum())))
    return lengths.tolist()
'''

CODE = '''
def canonical_codewords(lengths):
    order = sorted({order})
    words = [""] * len(lengths)
    code, previous = 0, order[0][0] if order else 0
    for index, (length, symbol) in enumerate(order):
        if index:
            code = {next_code}
        words[symbol] = {word}
        previous = length
    return words


def huffman_encode(symbols, lengths):
    words = canonical_codewords(lengths)
    return "".join(words[int(symbol)] for symbol in symbols)


def huffman_decode(bits, lengths, count):
    lookup = {{word: symbol for symbol, word in enumerate(canonical_codewords(lengths)) if word}}
    symbols, current = [], ""
    for bit in bits:
        current += bit
        if current in lookup:
            symbols.append({decoded})
            current = ""
            {stop}
    return symbols
'''
CODE_DEFAULTS = {"order": "(length, symbol) for symbol, length in enumerate(lengths) if length > 0",
                 "next_code": "(code + 1) << (length - previous)", "word": 'format(code, f"0{length}b")',
                 "decoded": "lookup[current]", "stop": "if len(symbols) == count:\n                break"}


def code(**changes):
    return CODE.format(**{**CODE_DEFAULTS, **changes})


REPORT = '''
fc_centroids, fc_labels = kmeans(fc_weights, 15)
fc_lengths = huffman_lengths(np.bincount(fc_labels, minlength=15))
fc_bits = {bits}
fc_ratio = {ratio}
shared_fc = fc_centroids[fc_labels].reshape(10, 256).astype(np.float32)
fc_accuracy = {accuracy}
'''
REPORT_DEFAULTS = {"bits": "len(huffman_encode(fc_labels, fc_lengths)) + 15 * 32",
                   "ratio": "fc_weights.size * 32 / fc_bits",
                   "accuracy": 'model.with_params({**model.params, "fc_weight": shared_fc}).accuracy(x_test, y_test)'}


def report(**changes):
    return REPORT.format(**{**REPORT_DEFAULTS, **changes})


# id: (solution grade_id, replacement source, visible test that must catch it, message regex)
MUTANTS = {
    # Part 1: linear initialisation
    "linear_no_end_point": ("linear_centroids", LINEAR.format(result="np.linspace(values.min(), values.max(), k, endpoint=False)"),
                            "test_linear_centroids", "largest"),
    "linear_from_zero": ("linear_centroids", LINEAR.format(result="np.linspace(0.0, values.max(), k)"),
                         "test_linear_centroids", "smallest"),
    "linear_quantiles": ("linear_centroids", LINEAR.format(result="np.quantile(values, np.linspace(0, 1, k))"),
                         "test_linear_centroids", "evenly spaced"),
    "linear_divides_by_k_minus_1": ("linear_centroids",
                                    LINEAR.format(result="values.min() + (values.max() - values.min()) * np.arange(k) / max(k - 1, 0)"),
                                    "test_linear_centroids", "k = 1"),
    # Part 2: k-means
    "kmeans_empty_cluster_nan": ("kmeans", kmeans(update="centroids[cluster] = members.mean() if members.size else np.nan"),
                                 "test_kmeans", "empty"),
    "kmeans_empty_cluster_zero": ("kmeans", kmeans(update="centroids[cluster] = members.mean() if members.size else 0.0"),
                                  "test_kmeans", "empty"),
    "kmeans_ties_to_higher_index": ("kmeans", kmeans(assign="np.searchsorted((centroids[1:] + centroids[:-1]) / 2, values, side='right')"),
                                    "test_kmeans", "tie"),
    "kmeans_one_iteration": ("kmeans", kmeans(iterations="1"), "test_kmeans", "no assignment changes"),
    "kmeans_quantile_init": ("kmeans", kmeans(init="np.quantile(values, np.linspace(0, 1, k))"), "test_kmeans", "linear"),
    # Part 3: Huffman code lengths
    "huffman_unused_symbols_in_heap": ("huffman_lengths", huffman(used="True"), "test_huffman_lengths", "length 0"),
    "huffman_single_symbol_length_0": ("huffman_lengths", huffman(single="False"), "test_huffman_lengths", "length 1"),
    "huffman_only_roots_grow": ("huffman_lengths", huffman(grown="members_a[:1] + members_b[:1]"), "test_huffman_lengths", "every symbol"),
    "huffman_merges_heaviest": ("huffman_lengths", huffman(key="-count"),
                                "test_huffman_lengths", "lightest|optimal"),
    "huffman_shannon_lengths": ("huffman_lengths", HUFFMAN_SHANNON, "test_huffman_lengths", "optimal"),
    # Part 4: canonical codewords, encode, decode
    "code_sorted_by_symbol": ("huffman_code", code(order="((length, symbol) for symbol, length in enumerate(lengths) if length > 0), key=lambda pair: pair[1]"),
                              "test_huffman_code", r"\(length, symbol\)"),
    "code_no_shift": ("huffman_code", code(next_code="code + 1"), "test_huffman_code", "shift"),
    "code_not_zero_padded": ("huffman_code", code(word="format(code, 'b')"), "test_huffman_code", "zero"),
    "code_decode_reads_past_count": ("huffman_code", code(stop="pass"), "test_huffman_code", "count"),
    "code_decode_strings": ("huffman_code", code(decoded="str(lookup[current])"), "test_huffman_code", "int"),
    # Part 5: the report
    "report_fixed_4_bit_indices": ("report", report(bits="fc_weights.size * 4 + 15 * 32"), "test_report", "Huffman"),
    "report_no_codebook": ("report", report(bits="len(huffman_encode(fc_labels, fc_lengths))"), "test_report", "codebook"),
    "report_float64_codebook": ("report", report(bits="len(huffman_encode(fc_labels, fc_lengths)) + 15 * 64"), "test_report", "codebook"),
    "report_ratio_inverted": ("report", report(ratio="fc_bits / (fc_weights.size * 32)"), "test_report", "times smaller"),
    "report_accuracy_percent": ("report", report(accuracy='100 * model.with_params({**model.params, "fc_weight": shared_fc}).accuracy(x_test, y_test)'),
                                "test_report", "fraction"),
    "report_accuracy_of_centroid_zero": ("report", report(accuracy='model.with_params({**model.params, "fc_weight": np.full((10, 256), fc_centroids[0], np.float32)}).accuracy(x_test, y_test)'),
                                         "test_report", "shared value"),
}


test_reference_solution_passes_every_visible_test, test_visible_tests_catch = lab_tests(LAB, MUTANTS)
