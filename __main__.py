"""azure-dr: one program, one stack per region. Validate config, build the region, export the contract."""

from components.config import load_config
from components.contract import PeerContract, export_contract
from components.region import DrRegion, DrRegionArgs

config = load_config()
peer = PeerContract(config.peer_stack) if config.peer_stack else None
region = DrRegion(f"{config.workload}-{config.region}", DrRegionArgs(config=config, peer=peer))
export_contract(region.contract)
