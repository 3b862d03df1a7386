// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title EvidenceAnchor
/// @notice Append-only registry of Merkle batch roots for Evidence Notary.
/// @dev Each anchor is the RFC 6962 / RFC 9162 root of one batch of evidence leaves.
/// Sequence numbers are dense (0, 1, 2, ...) and every anchor event carries the
/// previous root, so the anchored roots form a hash-linked chain that an auditor
/// can walk from the event log alone.
contract EvidenceAnchor is AccessControl {
    /// @notice Role allowed to anchor batch roots.
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    /// @notice One anchored batch. Packed into two storage slots.
    struct Anchor {
        bytes32 root;
        uint64 treeSize;
        uint64 blockNumber;
        uint64 timestamp;
    }

    /// @dev seq => anchor. Only seqs below `_nextSeq` are set.
    mapping(uint64 seq => Anchor) private _anchors;

    /// @dev Number of anchors stored, i.e. the seq the next anchor must use.
    uint64 private _nextSeq;

    /// @notice A batch root was anchored.
    /// @param seq The batch sequence number.
    /// @param root The RFC 6962 Merkle root of the batch.
    /// @param treeSize Number of leaves in the batch.
    /// @param previousRoot Root of batch `seq - 1`, or zero for the first batch.
    event RootAnchored(uint64 indexed seq, bytes32 indexed root, uint64 treeSize, bytes32 previousRoot);

    /// @notice `seq` is not the next sequence number.
    error EvidenceAnchorUnexpectedSeq(uint64 expected, uint64 given);
    /// @notice The root is zero.
    error EvidenceAnchorZeroRoot();
    /// @notice The tree size is zero.
    error EvidenceAnchorEmptyTree();
    /// @notice No anchor is stored for `seq`.
    error EvidenceAnchorUnknownSeq(uint64 seq);
    /// @notice No anchor has been stored yet.
    error EvidenceAnchorNoAnchors();

    /// @param admin Account that administers roles (grant/revoke anchorers).
    /// @param anchorer Initial anchorer account; pass address(0) to grant none.
    constructor(address admin, address anchorer) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (anchorer != address(0)) {
            _grantRole(ANCHORER_ROLE, anchorer);
        }
    }

    /// @notice Anchors the root of batch `seq`.
    /// @dev Reverts unless the caller has ANCHORER_ROLE, `seq` is exactly the next
    /// sequence number, `root` is non-zero and `treeSize` is above zero.
    /// @param seq The batch sequence number; must equal `nextSeq()`.
    /// @param root The RFC 6962 Merkle root of the batch.
    /// @param treeSize Number of leaves in the batch.
    function anchor(uint64 seq, bytes32 root, uint64 treeSize) external onlyRole(ANCHORER_ROLE) {
        uint64 expected = _nextSeq;
        if (seq != expected) revert EvidenceAnchorUnexpectedSeq(expected, seq);
        if (root == bytes32(0)) revert EvidenceAnchorZeroRoot();
        if (treeSize == 0) revert EvidenceAnchorEmptyTree();

        bytes32 previousRoot = seq == 0 ? bytes32(0) : _anchors[seq - 1].root;
        _anchors[seq] = Anchor(root, treeSize, uint64(block.number), uint64(block.timestamp));
        _nextSeq = seq + 1;
        emit RootAnchored(seq, root, treeSize, previousRoot);
    }

    /// @notice Returns the anchor stored for `seq`.
    /// @dev Reverts with EvidenceAnchorUnknownSeq when `seq` has not been anchored.
    /// @param seq The batch sequence number.
    /// @return The stored anchor: root, treeSize, blockNumber and timestamp.
    function getAnchor(uint64 seq) external view returns (Anchor memory) {
        if (seq >= _nextSeq) revert EvidenceAnchorUnknownSeq(seq);
        return _anchors[seq];
    }

    /// @notice Returns the seq of the most recent anchor.
    /// @dev Reverts with EvidenceAnchorNoAnchors when nothing has been anchored.
    /// @return The latest anchored seq.
    function latestSeq() external view returns (uint64) {
        uint64 next = _nextSeq;
        if (next == 0) revert EvidenceAnchorNoAnchors();
        return next - 1;
    }

    /// @notice Returns the seq the next anchor must use, which is also the number of anchors.
    /// @return The next sequence number.
    function nextSeq() external view returns (uint64) {
        return _nextSeq;
    }

    /// @notice Checks an RFC 9162 (section 2.1.3.2) inclusion proof against the stored root of `seq`.
    /// @dev Leaf and node hashes use SHA-256 (the precompile at address 0x02):
    /// node = SHA-256(0x01 || left || right). `leafHash` is the already-hashed leaf.
    /// Returns false (never reverts) for an unknown seq, an index out of range or a bad path.
    /// @param seq The batch sequence number.
    /// @param leafHash The leaf hash, SHA-256(0x00 || salt || digest).
    /// @param leafIndex Zero-based index of the leaf in the batch.
    /// @param proof The audit path, bottom-up.
    /// @return True only if the path leads from the leaf to the stored root at the stored size.
    function verifyInclusion(uint64 seq, bytes32 leafHash, uint64 leafIndex, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        if (seq >= _nextSeq) return false;
        Anchor storage a = _anchors[seq];
        if (leafIndex >= a.treeSize) return false;

        uint256 fn = leafIndex;
        uint256 sn = a.treeSize - 1;
        bytes32 r = leafHash;
        for (uint256 i = 0; i < proof.length; ++i) {
            if (sn == 0) return false;
            if (fn & 1 == 1 || fn == sn) {
                r = sha256(abi.encodePacked(bytes1(0x01), proof[i], r));
                while (fn & 1 == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = sha256(abi.encodePacked(bytes1(0x01), r, proof[i]));
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r == a.root;
    }
}
