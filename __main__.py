"""azure-dr: one program, one stack per region. Validate config, build the region, export the contract."""

import pulumi

from components.config import load_config
from components.contract import PeerContract, export_contract
from components.pairsize import PEER_SIZE_KEYS, check_pair_sizes
from components.region import DrRegion, DrRegionArgs

config = load_config()
peer = PeerContract(config.peer_stack) if config.peer_stack else None
if peer is not None:  # linked sizes against the peer's exports, before anything is registered
    check_pair_sizes(config, peer.read(PEER_SIZE_KEYS), pulumi.get_project())
region = DrRegion(f"{config.workload}-{config.region}", DrRegionArgs(config=config, peer=peer))
export_contract(region.contract)
