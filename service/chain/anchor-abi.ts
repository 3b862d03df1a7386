// The EvidenceAnchor contract interface, as ethers human-readable ABI.
// Kept by hand so that browser code and the auditor's CLI need no build artifacts;
// test/contracts/anchor-abi.test.ts checks it against the compiled artifact.
export const ANCHOR_ABI = [
  "function ANCHORER_ROLE() view returns (bytes32)",
  "function DEFAULT_ADMIN_ROLE() view returns (bytes32)",
  "function anchor(uint64 seq, bytes32 root, uint64 treeSize)",
  "function getAnchor(uint64 seq) view returns ((bytes32 root, uint64 treeSize, uint64 blockNumber, uint64 timestamp))",
  "function latestSeq() view returns (uint64)",
  "function nextSeq() view returns (uint64)",
  "function verifyInclusion(uint64 seq, bytes32 leafHash, uint64 leafIndex, bytes32[] proof) view returns (bool)",
  "function hasRole(bytes32 role, address account) view returns (bool)",
  "function grantRole(bytes32 role, address account)",
  "function revokeRole(bytes32 role, address account)",
  "event RootAnchored(uint64 indexed seq, bytes32 indexed root, uint64 treeSize, bytes32 previousRoot)",
  "event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
  "event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)",
  "error EvidenceAnchorUnexpectedSeq(uint64 expected, uint64 given)",
  "error EvidenceAnchorZeroRoot()",
  "error EvidenceAnchorEmptyTree()",
  "error EvidenceAnchorUnknownSeq(uint64 seq)",
  "error EvidenceAnchorNoAnchors()",
  "error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)",
] as const;
